r"""The evidence lower bound and the importance-weighted bound (chapters 1, 4 and 5).

Per data point, with the encoder q_phi(z|x) and the decoder p_theta(x|z),

    ELBO(x) = E_{q_phi(z|x)}[ log p_theta(x|z) ] - beta * KL( q_phi(z|x) || p(z) )
              \______ reconstruction ______/          \_______ kl _______/

estimated with M reparameterized samples for the expectation and the closed form for the KL.
With beta = 1, log p(x) = ELBO(x) + KL(q_phi(z|x) || p_theta(z|x)) >= ELBO(x).
The training loss is minus the batch mean of ``elbo(...).total``.

The IWAE bound (Burda et al., 2015) averages k importance weights inside the log,

    L_k(x) = log (1/k) sum_i p_theta(x, z_i) / q_phi(z_i|x),   z_i ~ q_phi(z|x),

equals the ELBO in expectation at k = 1, rises with k and tends to log p(x).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import (
    require_float,
    require_positive_int,
    require_same_device,
    require_same_shape,
)
from .kl import gaussian_kl
from .likelihoods import log_likelihood
from .reparam import reparameterize


class ELBO(NamedTuple):
    """The parts of the ELBO, each ``[batch]`` in nats: ``total = reconstruction - beta * kl``."""

    reconstruction: torch.Tensor
    kl: torch.Tensor
    total: torch.Tensor


def _likelihood_of(model) -> str:
    likelihood = getattr(model, "likelihood", None)
    if likelihood is None:
        raise TypeError(
            f"model must say which decoder likelihood it uses (a .likelihood attribute, "
            f"'bernoulli' or 'gaussian'); {type(model).__name__} has none"
        )
    return likelihood


def _check_beta(beta) -> float:
    if (
        isinstance(beta, bool)
        or not isinstance(beta, (int, float))
        or not beta >= 0
        or math.isinf(beta)
    ):
        raise ValueError(f"beta must be a finite number >= 0, got {beta!r}")
    return float(beta)


def elbo_from_outputs(
    x: torch.Tensor,
    decoder_output: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    likelihood: str = "bernoulli",
    beta: float = 1.0,
) -> ELBO:
    r"""The ELBO's parts from one forward pass (chapter 4's step-by-step version of :func:`elbo`).

    Args:
        x: data ``[batch, ...]``.
        decoder_output: the decoder's output for reparameterized samples, ``[batch, ...]`` for one
            sample or ``[M, batch, ...]`` for M samples (the reconstruction term averages over M).
        mu, logvar: the encoder's outputs, ``[batch, k]``.
        likelihood: ``"bernoulli"`` (decoder output = logits) or ``"gaussian"`` (output = mean).
        beta: weight of the KL term (beta-VAE, Higgins et al. 2017); 1 gives the ELBO.
    """
    beta = _check_beta(beta)
    require_float("mu", mu)
    require_same_shape("mu", mu, "logvar", logvar)
    if mu.shape[0] != x.shape[0]:
        raise ValueError(
            f"mu has batch size {mu.shape[0]} but x has {x.shape[0]}; they must match"
        )
    ll = log_likelihood(x, decoder_output, likelihood)
    reconstruction = ll if ll.dim() == 1 else ll.mean(dim=0)
    kl = gaussian_kl(mu, logvar)
    return ELBO(reconstruction, kl, reconstruction - beta * kl)


def elbo(
    model,
    x: torch.Tensor,
    beta: float = 1.0,
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> ELBO:
    r"""Per-example ELBO = E_q[log p(x|z)] - beta * KL(q(z|x) || N(0, I)), ``[batch]`` nats each.

    Args:
        model: anything with ``encode(x) -> (mu, logvar)``, ``decode(z)`` accepting leading sample
            dims, and ``likelihood`` (``"bernoulli"`` or ``"gaussian"``): the package's VAEs and
            :class:`~vae_course.linear_gaussian.LinearGaussianModel`.
        x: data ``[batch, ...]`` on the model's device.
        beta: KL weight (1 for the ELBO itself).
        n_samples: M, the number of reparameterized samples for the reconstruction term.
        generator: optional ``torch.Generator`` on x's device.

    Returns:
        :class:`ELBO` ``(reconstruction, kl, total)``; the training loss is ``-total.mean()``.
    """
    require_float("x", x)
    require_positive_int("n_samples", n_samples)
    likelihood = _likelihood_of(model)
    mu, logvar = model.encode(x)
    z = reparameterize(
        mu, logvar, n_samples=n_samples, generator=generator
    )  # [M, batch, k]
    return elbo_from_outputs(x, model.decode(z), mu, logvar, likelihood, beta)


def log_normal_diag(
    z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
) -> torch.Tensor:
    r"""log N(z | mu, diag(exp(logvar))) summed over the last dimension, in nats.

    ``-1/2 sum_j [ log(2 pi) + logvar_j + (z_j - mu_j)^2 / exp(logvar_j) ]``; ``z`` may carry
    leading sample dims that broadcast against ``mu`` and ``logvar``.
    """
    require_float("z", z)
    require_same_shape("mu", mu, "logvar", logvar)
    require_same_device(z=z, mu=mu, logvar=logvar)
    return -0.5 * (
        math.log(2 * math.pi) + logvar + (z - mu).pow(2) * torch.exp(-logvar)
    ).sum(dim=-1)


def iwae_bound(
    model,
    x: torch.Tensor,
    k: int,
    generator: torch.Generator | None = None,
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""The importance-weighted bound L_k(x) = log (1/k) sum_i p(x, z_i) / q(z_i|x), ``[batch]`` nats.

    Uses ``logsumexp`` over the k log-weights
    ``log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x)`` (Burda et al., 2015, eq. 8).
    ``L_1`` equals the ELBO in expectation; ``L_k`` rises with k towards log p(x). The samples
    are drawn in chunks of ``chunk_size`` (default: about 4M decoded values at a time) so that
    k = 1000 fits in memory. The bound is differentiable (Burda et al. train on it); to evaluate
    it, call it under ``torch.no_grad()`` so that no graph is kept for the k samples.
    """
    require_float("x", x)
    require_positive_int("k", k)
    likelihood = _likelihood_of(model)
    batch = x.shape[0]
    if chunk_size is None:
        per_sample = max(1, x.numel())
        chunk_size = max(1, min(k, (1 << 22) // per_sample))
    require_positive_int("chunk_size", chunk_size)
    mu, logvar = model.encode(x)
    log_w = []
    done = 0
    while done < k:
        m = min(chunk_size, k - done)
        z = reparameterize(
            mu, logvar, n_samples=m, generator=generator
        )  # [m, batch, k]
        log_px_z = log_likelihood(x, model.decode(z), likelihood)  # [m, batch]
        log_pz = log_normal_diag(
            z, torch.zeros_like(mu), torch.zeros_like(logvar)
        )
        log_qz = log_normal_diag(z, mu, logvar)
        log_w.append(log_px_z + log_pz - log_qz)
        done += m
    log_w = torch.cat(log_w, dim=0)
    assert log_w.shape == (k, batch)
    return torch.logsumexp(log_w, dim=0) - math.log(k)
