"""Two Monte Carlo estimators of the gradient of an expectation (ch. 2, 3).

We want ``d/dmu`` and ``d/dsigma`` of
``J(mu, sigma) = E_{z ~ N(mu, sigma^2)}[ f(z) ]``.

* Score function (log-derivative, REINFORCE), chapter 2:
  ``grad J = E[ f(z) * grad log N(z; mu, sigma^2) ]`` with
  ``d/dmu log N = (z - mu) / sigma^2`` and
  ``d/dsigma log N = ((z - mu)^2 - sigma^2) / sigma^3``. Needs only values of
  f, but its variance is large.
* Reparameterization (pathwise), chapter 3: ``z = mu + sigma * eps``, so
  ``grad J = E_eps[ grad f(mu + sigma * eps) ]``, i.e. ``f'(z)`` for mu and
  ``f'(z) * eps`` for sigma.

Both functions return one estimate per sample, ``[n_samples, *shape]``: their
mean over the first dimension is the M-sample estimate, and the per-sample
variance divided by M is the variance of that estimate. For ``f(z) = z^2`` the
per-sample variances have closed forms, see :func:`z_squared_grad_variance`.

On a real VAE (chapter 2, §2.10), :func:`encoder_gradient_noise` measures
the spread of the encoder's gradient under either objective.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._checks import (
    as_tensor,
    require_positive,
    require_positive_int,
    require_same_device,
)
from .objectives import ELBOObjective, ScoreFunctionObjective

Function = Callable[[torch.Tensor], torch.Tensor]


def _prepare(mu, sigma) -> tuple[torch.Tensor, torch.Tensor]:
    mu = as_tensor("mu", mu)
    sigma = as_tensor("sigma", sigma)
    if not (mu.is_floating_point() and sigma.is_floating_point()):
        raise TypeError(
            "mu and sigma must be floating point, "
            f"got {mu.dtype} and {sigma.dtype}"
        )
    require_same_device(mu=mu, sigma=sigma)
    require_positive("sigma", sigma)
    mu, sigma = torch.broadcast_tensors(mu.detach(), sigma.detach())
    return mu, sigma


def score_function_grad(
    f: Function,
    mu,
    sigma,
    n_samples: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-sample score-function estimates of (dJ/dmu, dJ/dsigma).

    ``J = E_{N(mu, sigma^2)}[f(z)]``; the estimates are

    ``f(z) * (z - mu) / sigma^2`` and
    ``f(z) * ((z - mu)^2 - sigma^2) / sigma^3`` for ``z ~ N(mu, sigma^2)``
    (chapter 2, the log-derivative trick). Unbiased for any f whose expectation
    exists; f is only evaluated, never differentiated.

    Returns:
        ``(grad_mu, grad_sigma)``, each
        ``[n_samples, *broadcast(mu, sigma).shape]``.
    """
    require_positive_int("n_samples", n_samples)
    mu, sigma = _prepare(mu, sigma)
    eps = torch.randn(
        (n_samples, *mu.shape),
        generator=generator,
        dtype=mu.dtype,
        device=mu.device,
    )
    z = mu + sigma * eps
    with torch.no_grad():
        fz = f(z)
    if fz.shape != z.shape:
        raise ValueError(
            f"f must act elementwise: f(z) has shape {list(fz.shape)} "
            f"for z of shape {list(z.shape)}"
        )
    score_mu = (z - mu) / sigma**2
    score_sigma = ((z - mu) ** 2 - sigma**2) / sigma**3
    return fz * score_mu, fz * score_sigma


def reparam_grad(
    f: Function,
    mu,
    sigma,
    n_samples: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-sample pathwise estimates of (dJ/dmu, dJ/dsigma).

    Through ``z = mu + sigma * eps``:

    ``d f(mu + sigma eps) / dmu = f'(z)`` and
    ``d f(mu + sigma eps) / dsigma = f'(z) * eps``, computed by autograd for
    each sample (chapter 3). f must be differentiable.

    Returns:
        ``(grad_mu, grad_sigma)``, each
        ``[n_samples, *broadcast(mu, sigma).shape]``.
    """
    require_positive_int("n_samples", n_samples)
    mu, sigma = _prepare(mu, sigma)
    eps = torch.randn(
        (n_samples, *mu.shape),
        generator=generator,
        dtype=mu.dtype,
        device=mu.device,
    )
    mu_s = mu.expand_as(eps).clone().requires_grad_(True)
    sigma_s = sigma.expand_as(eps).clone().requires_grad_(True)
    with torch.enable_grad():
        fz = f(mu_s + sigma_s * eps)
        if fz.shape != eps.shape:
            raise ValueError(
                f"f must act elementwise: f(z) has shape {list(fz.shape)} "
                f"for z of shape {list(eps.shape)}"
            )
        # each sample's value depends only on its own copy of (mu, sigma):
        # one backward pass gives all
        grad_mu, grad_sigma = torch.autograd.grad(fz.sum(), (mu_s, sigma_s))
    return grad_mu, grad_sigma


def z_squared_grad_variance(mu, sigma) -> dict[str, torch.Tensor]:
    r"""Per-sample variances of both estimators for f(z) = z^2, in closed form.

    Here z ~ N(mu, sigma^2).

    The true gradients are dJ/dmu = 2 mu and dJ/dsigma = 2 sigma. With eps ~
    N(0, 1) and the moments E[eps^2] = 1, E[eps^4] = 3, E[eps^6] = 15, E[eps^8]
    = 105:

    * ``reparam_mu``   = Var[2 (mu + sigma eps)]                    = 4 sigma^2
    * ``reparam_sigma`` = Var[2 (mu + sigma eps) eps]
      = 4 mu^2 + 8 sigma^2
    * ``score_mu`` = Var[(mu + sigma eps)^2 eps / sigma]
      = mu^4/sigma^2 + 14 mu^2 + 15 sigma^2
    * ``score_sigma`` = Var[(mu + sigma eps)^2 (eps^2 - 1) / sigma]
      = 2 mu^4/sigma^2 + 60 mu^2 + 74 sigma^2

    Divide by M for the variance of an M-sample average.
    """
    mu, sigma = _prepare(mu, sigma)
    return {
        "reparam_mu": 4 * sigma**2,
        "reparam_sigma": 4 * mu**2 + 8 * sigma**2,
        "score_mu": mu**4 / sigma**2 + 14 * mu**2 + 15 * sigma**2,
        "score_sigma": 2 * mu**4 / sigma**2 + 60 * mu**2 + 74 * sigma**2,
    }


def encoder_gradient_noise(
    model,
    x: torch.Tensor,
    estimator: str,
    n_repeats: int,
    n_samples: int = 2,
    seed: int = 0,
) -> dict:
    r"""Spread of the encoder's gradient over fresh noise for one fixed batch.

    Draws ``n_repeats`` gradients g_r of the batch loss with respect to phi
    (``model.encoder.parameters()``), each from new samples of z, with
    ``estimator="score"``
    (:class:`~vae_course.objectives.ScoreFunctionObjective`) or
    ``"reparam"`` (:class:`~vae_course.objectives.ELBOObjective`, the
    trainer's loss), each with ``n_samples`` samples of z per image, and
    returns

    * ``noise``: sum over parameters of the variance of g_r, the expected
      squared distance E||g - E g||^2 of one gradient from the mean;
    * ``signal``: ||E g||^2, estimated without bias as
      ||mean_r g_r||^2 - noise / n_repeats;
    * ``snr``: signal / noise; below 1 a single gradient is mostly noise.
    """
    require_positive_int("n_repeats", n_repeats)
    if n_repeats < 2:
        raise ValueError(f"n_repeats must be >= 2, got {n_repeats}")
    objectives = {
        "score": lambda: ScoreFunctionObjective(n_samples),
        "reparam": lambda: ELBOObjective(n_samples=n_samples),
    }
    if estimator not in objectives:
        raise ValueError(
            f"estimator must be 'score' or 'reparam', got {estimator!r}"
        )
    objective = objectives[estimator]()
    phi = list(model.encoder.parameters())
    generator = torch.Generator(device=x.device).manual_seed(seed)
    grads = []
    for _ in range(n_repeats):
        loss, _ = objective(model, x, generator)
        g = torch.autograd.grad(loss, phi)
        grads.append(torch.cat([t.reshape(-1) for t in g]))
    grads = torch.stack(grads)  # [n_repeats, n_params]
    noise = grads.var(dim=0).sum().item()
    signal = grads.mean(dim=0).pow(2).sum().item() - noise / n_repeats
    return {"signal": signal, "noise": noise, "snr": signal / noise}
