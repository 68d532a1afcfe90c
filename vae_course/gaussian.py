"""The diagonal Gaussian: its log-density and its KL to the prior (ch. 1).

The encoder's q_phi(z|x) = N(mu, diag(exp(logvar))) and the prior
p(z) = N(0, I) are the course's Gaussians. :func:`log_normal_diag` is the
log-density (importance weights, the score-function surrogate, the grid
posterior); :func:`gaussian_kl` is the KL term of the ELBO in closed form.

For ``q = N(mu, diag(sigma^2))`` and the prior ``p = N(0, I)`` in ``k``
dimensions,

    KL(q || p) = 1/2 * sum_j ( sigma_j^2 + mu_j^2 - 1 - log sigma_j^2 )
               = -1/2 * sum_j ( 1 + logvar_j - mu_j^2 - exp(logvar_j) ),

which is zero exactly when ``mu = 0`` and ``sigma = 1``.
"""

from __future__ import annotations

import math

import torch

from ._checks import require_float, require_same_device, require_same_shape


def gaussian_kl(
    mu: torch.Tensor, logvar: torch.Tensor, per_dim: bool = False
) -> torch.Tensor:
    r"""KL( N(mu, diag(exp(logvar))) || N(0, I) ) in nats, in closed form.

    Chapter 1.

    Args:
        mu: ``[batch, k]`` means of the encoder's Gaussian q_phi(z|x).
        logvar: ``[batch, k]`` log-variances; finite for any logvar in [-30,
            30].
        per_dim: return the ``[batch, k]`` terms of each latent dimension
            instead of their sum (used by free bits and to count active units).

    Returns:
        ``[batch]`` KL per example (or ``[batch, k]`` with ``per_dim=True``),
        nats.
    """
    require_float("mu", mu)
    require_float("logvar", logvar)
    require_same_shape("mu", mu, "logvar", logvar)
    require_same_device(mu=mu, logvar=logvar)
    if mu.dim() < 1:
        raise ValueError(
            "mu must have a latent dimension, got a scalar; "
            "expected shape [batch, k]"
        )
    terms = 0.5 * (torch.exp(logvar) + mu.pow(2) - 1.0 - logvar)
    return terms if per_dim else terms.sum(dim=-1)


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
