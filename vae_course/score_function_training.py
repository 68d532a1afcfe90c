r"""Training a VAE with the score-function encoder gradient (chapter 2, §2.10).

Chapter 2's estimator on a real VAE. With z_m ~ q_phi(z|x) drawn *without* a
gradient path (m = 1..M) and f_m = log p_theta(x | z_m), the surrogate per data
point is

    S(x) = (1/M) sum_m [ f_m + (f_m - b_m) * log q_phi(z_m|x) ]
           - KL(q_phi(z|x) || p(z)),

where (f_m - b_m) is a constant to autograd, and
b_m = (1/(M-1)) sum_{j != m} f_j is the leave-one-out baseline (the mean of
the *other* samples of the same x, so it is independent of z_m and the
estimate stays unbiased). Its gradients are

* theta: (1/M) sum_m grad_theta log p_theta(x|z_m), the easy gradient of
  chapter 2, §2.3;
* phi: (1/M) sum_m (f_m - b_m) grad_phi log q_phi(z_m|x) - grad_phi KL, the
  score-function gradient with a baseline (§2.6, §2.9) plus the closed-form
  KL's exact gradient.

In expectation both equal the gradients of the ELBO; the reparameterized loss
-elbo(...).total has the same expectation with a far smaller variance
(chapter 3). All values are nats per image.
"""

from __future__ import annotations

import torch

from ._checks import require_float, require_positive_int
from .elbo import elbo, log_normal_diag
from .kl import gaussian_kl
from .likelihoods import log_likelihood
from .models import require_vae
from .reparam import reparameterize
from .training import evaluate


def score_function_loss(
    model,
    x: torch.Tensor,
    n_samples: int = 2,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Minus the batch mean of the surrogate S(x), and the ELBO estimate.

    Args:
        model: anything with ``encode``, ``decode`` and ``likelihood``.
        x: data ``[batch, ...]``.
        n_samples: M >= 2 samples of z per image (the leave-one-out
            baseline needs at least one other sample).
        generator: optional ``torch.Generator`` on x's device.

    Returns:
        ``(loss, elbo)``: the scalar to call ``backward()`` on, and the
        per-image ELBO estimate ``[batch]`` in nats (its value; the loss's
        value is not the ELBO).
    """
    require_float("x", x)
    require_positive_int("n_samples", n_samples)
    if n_samples < 2:
        raise ValueError(
            f"n_samples must be >= 2 for the leave-one-out baseline, "
            f"got {n_samples}"
        )
    likelihood = require_vae(model).likelihood
    mu, logvar = model.encode(x)  # [batch, k] each
    with torch.no_grad():  # the draw itself: no gradient path to phi
        z = reparameterize(mu, logvar, n_samples, generator=generator)
    f = log_likelihood(x, model.decode(z), likelihood)  # [M, batch]
    log_q = log_normal_diag(z, mu, logvar)  # [M, batch], depends on phi
    f_const = f.detach()
    baseline = (f_const.sum(dim=0) - f_const) / (n_samples - 1)
    surrogate = (f + (f_const - baseline) * log_q).mean(dim=0)  # [batch]
    kl = gaussian_kl(mu, logvar)  # [batch]
    loss = -(surrogate - kl).mean()
    return loss, f_const.mean(dim=0) - kl.detach()


def train_score_function(
    model,
    data,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    n_samples: int = 2,
) -> dict:
    r"""Adam on :func:`score_function_loss`; the test ELBO after every epoch.

    The loop is the trainer's (:func:`~vae_course.training.train`): a
    shuffled pass over ``data.train_images`` in batches, ``zero_grad``,
    ``backward``, ``step``; only the loss differs. The test ELBO is measured
    with :func:`~vae_course.training.evaluate` (the estimator used for
    training does not change what the ELBO is).

    Returns:
        ``{"epoch": [...], "train_elbo": [...], "test_elbo": [...]}``,
        nats per image.
    """
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    device = next(model.parameters()).device
    train_x = data.train_images.to(device)
    test_x = data.test_images.to(device)
    generator = torch.Generator(device=device).manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"epoch": [], "train_elbo": [], "test_elbo": []}
    n = train_x.shape[0]
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        order = torch.randperm(n, generator=generator, device=device)
        for first in range(0, n, batch_size):
            x = train_x[order[first : first + batch_size]]
            loss, elbo_x = score_function_loss(model, x, n_samples, generator)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += elbo_x.sum().item()
        eval_generator = torch.Generator(device=device).manual_seed(seed + 1)
        test = evaluate(model, test_x, generator=eval_generator)["elbo"]
        history["epoch"].append(epoch)
        history["train_elbo"].append(total / n)
        history["test_elbo"].append(test)
    model.eval()
    return history


def encoder_parameters(model) -> list[torch.nn.Parameter]:
    """phi: the parameters of ``model.encoder`` and the ``fc_*`` heads."""
    return [
        p
        for name, p in model.named_parameters()
        if name.startswith(("encoder.", "fc_"))
    ]


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
    (``encoder_parameters``), each from new samples of z, with
    ``estimator="score"`` (:func:`score_function_loss`) or ``"reparam"``
    (``-elbo(model, x, n_samples).total.mean()``, the trainer's loss), and
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
    if estimator not in ("score", "reparam"):
        raise ValueError(
            f"estimator must be 'score' or 'reparam', got {estimator!r}"
        )
    params = encoder_parameters(model)
    generator = torch.Generator(device=x.device).manual_seed(seed)
    grads = []
    for _ in range(n_repeats):
        if estimator == "score":
            loss, _ = score_function_loss(model, x, n_samples, generator)
        else:
            parts = elbo(model, x, n_samples=n_samples, generator=generator)
            loss = -parts.total.mean()
        g = torch.autograd.grad(loss, params)
        grads.append(torch.cat([t.reshape(-1) for t in g]))
    grads = torch.stack(grads)  # [n_repeats, n_params]
    noise = grads.var(dim=0).sum().item()
    signal = grads.mean(dim=0).pow(2).sum().item() - noise / n_repeats
    return {"signal": signal, "noise": noise, "snr": signal / noise}
