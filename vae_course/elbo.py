r"""The ELBO and the importance-weighted bound (chapters 1, 4 and 5).

Per data point, with the encoder q_phi(z|x) and the decoder p_theta(x|z),

    ELBO(x) = E_q[ log p_theta(x|z) ] - beta * KL( q_phi(z|x) || p(z) )
              \___ reconstruction __/          \_________ kl ________/

estimated with M reparameterized samples for the expectation and the closed
form for the KL. With beta = 1,
log p(x) = ELBO(x) + KL(q_phi(z|x) || p_theta(z|x)) >= ELBO(x).
The training loss is minus the batch mean of ``elbo(...).elbo``
(:func:`vae_course.training.train_step`).

The IWAE bound (Burda et al., 2015) averages k importance weights inside the
log,

    L_k(x) = log (1/k) sum_i p_theta(x, z_i) / q_phi(z_i|x),  z_i ~ q_phi(z|x),

equals the ELBO in expectation at k = 1, rises with k and tends to log p(x).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import (
    require_batch,
    require_float,
    require_nonnegative_number,
    require_positive_int,
    require_same_device,
    require_same_shape,
    shape_str,
)
from .kl import gaussian_kl
from .likelihoods import log_likelihood
from .models import VAE, require_vae
from .reparam import reparameterize


class ELBO(NamedTuple):
    """The ELBO and its parts, each ``[batch]`` in nats.

    ``elbo = reconstruction - beta * kl``: ``reconstruction`` is the Monte
    Carlo estimate of E_q[log p(x|z)], ``kl`` is KL(q(z|x) || N(0, I)) in
    closed form. The same three names are the keys of
    :func:`~vae_course.training.evaluate` and the fields of
    :class:`~vae_course.training.History`.
    """

    reconstruction: torch.Tensor
    kl: torch.Tensor
    elbo: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        """The former name of ``elbo`` (kept for old notebooks)."""
        return self.elbo


def elbo_from_outputs(
    x: torch.Tensor,
    decoder_output: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    likelihood: str = "bernoulli",
    beta: float = 1.0,
) -> ELBO:
    r"""The ELBO's parts from one forward pass (chapter 4).

    :func:`elbo` and :func:`~vae_course.training.train_step` call it.

    ``reconstruction = log p(x|z)`` (averaged over M samples),
    ``kl = KL(N(mu, exp(logvar)) || N(0, I))``,
    ``elbo = reconstruction - beta * kl``: each ``[batch]`` nats.

    Args:
        x: data ``[batch, ...]`` (flat ``[batch, 784]`` works too).
        decoder_output: the decoder's output for reparameterized samples,
            ``[batch, ...]`` for one sample or ``[M, batch, ...]`` for M.
        mu, logvar: the encoder's outputs, ``[batch, k]``.
        likelihood: ``"bernoulli"`` (decoder output = logits) or
            ``"gaussian"`` (output = mean).
        beta: weight of the KL term (beta-VAE, Higgins et al. 2017); 1 gives
            the ELBO.
    """
    beta = require_nonnegative_number("beta", beta)
    require_batch("x", x)
    require_float("mu", mu)
    require_same_shape("mu", mu, "logvar", logvar)
    if mu.dim() != 2 or mu.shape[0] != x.shape[0]:
        raise ValueError(
            f"mu has shape {shape_str(mu)} but x has batch size "
            f"{x.shape[0]}; expected mu [{x.shape[0]}, k]"
        )
    log_px_z = log_likelihood(x, decoder_output, likelihood)
    reconstruction = log_px_z if log_px_z.dim() == 1 else log_px_z.mean(0)
    kl = gaussian_kl(mu, logvar)
    return ELBO(reconstruction, kl, reconstruction - beta * kl)


def elbo(
    model: VAE,
    x: torch.Tensor,
    beta: float = 1.0,
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> ELBO:
    r"""Per-example ELBO = E_q[log p(x|z)] - beta * KL(q(z|x) || N(0, I)).

    Encode, reparameterize, decode, then :func:`elbo_from_outputs`: each part
    ``[batch]`` nats.

    Args:
        model: a :class:`~vae_course.models.VAE`: the package's VAEs and
            :class:`~vae_course.linear_gaussian.LinearGaussianModel`.
        x: data ``[batch, ...]`` on the model's device.
        beta: KL weight (1 for the ELBO itself).
        n_samples: M, the number of reparameterized samples for the
            reconstruction term.
        generator: optional ``torch.Generator`` on x's device.

    Returns:
        :class:`ELBO` ``(reconstruction, kl, elbo)``; the training loss is
        ``-elbo.mean()``.
    """
    require_vae(model)
    require_batch("x", x)
    require_positive_int("n_samples", n_samples)
    mu, logvar = model.encode(x)
    z = reparameterize(mu, logvar, n_samples, generator)  # [M, batch, k]
    return elbo_from_outputs(
        x, model.decode(z), mu, logvar, model.likelihood, beta
    )


def log_normal_diag(
    z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
) -> torch.Tensor:
    r"""log N(z | mu, diag(exp(logvar))) summed over the last dimension, nats.

    ``-1/2 sum_j [ log(2 pi) + logvar_j + (z_j - mu_j)^2 / exp(logvar_j) ]``;
    ``z`` may carry leading sample dims that broadcast against ``mu`` and
    ``logvar``.
    """
    require_float("z", z)
    require_same_shape("mu", mu, "logvar", logvar)
    require_same_device(z=z, mu=mu, logvar=logvar)
    squared = (z - mu).pow(2) * torch.exp(-logvar)
    return -0.5 * (math.log(2 * math.pi) + logvar + squared).sum(dim=-1)


def _default_chunk(x: torch.Tensor, k: int) -> int:
    """Samples per chunk so that about 4M decoded values exist at a time."""
    return max(1, min(k, (1 << 22) // max(1, x.numel())))


def iwae_bound(
    model: VAE,
    x: torch.Tensor,
    k: int,
    generator: torch.Generator | None = None,
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""L_k(x) = log (1/k) sum_i p(x, z_i) / q(z_i|x), ``[batch]`` nats.

    The importance-weighted bound (Burda et al., 2015, eq. 8): ``logsumexp``
    over the k log-weights
    ``log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x)``.
    ``L_1`` equals the ELBO in expectation; ``L_k`` rises with k towards
    log p(x). The samples are drawn in chunks of ``chunk_size`` (default:
    about 4M decoded values at a time) so that k = 1000 fits in memory. The
    bound is differentiable (Burda et al. train on it); to evaluate it, call
    it under ``torch.no_grad()`` so that no graph is kept for the k samples.
    """
    require_vae(model)
    require_batch("x", x)
    require_positive_int("k", k)
    if chunk_size is None:
        chunk_size = _default_chunk(x, k)
    require_positive_int("chunk_size", chunk_size)
    mu, logvar = model.encode(x)
    zeros = torch.zeros_like(mu)
    log_w = []
    for first in range(0, k, chunk_size):
        m = min(chunk_size, k - first)
        z = reparameterize(mu, logvar, m, generator)  # [m, batch, k]
        x_params = model.decode(z)
        log_px_z = log_likelihood(x, x_params, model.likelihood)  # [m, batch]
        log_pz = log_normal_diag(z, zeros, zeros)
        log_qz = log_normal_diag(z, mu, logvar)
        log_w.append(log_px_z + log_pz - log_qz)
    log_w = torch.cat(log_w, dim=0)  # [k, batch]
    return torch.logsumexp(log_w, dim=0) - math.log(k)
