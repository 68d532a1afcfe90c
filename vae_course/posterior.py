r"""The true posterior p_theta(z|x) and the evidence log p(x) (chapter 5).

With two latent dimensions the posterior can be computed on a grid, with no
approximation other than the grid itself (dA: the area of one cell):

    log p_theta(x, z_g) = log p_theta(x|z_g) + log p(z_g),   p(z) = N(0, I_2)
    log p_theta(x)     ~= log sum_g exp(log p_theta(x, z_g)) + log dA
    log p_theta(z_g|x)  = log p_theta(x, z_g) - log p_theta(x)

and so is the gap of the ELBO,
KL(q_phi(z|x) || p_theta(z|x)) = log p_theta(x) - ELBO(x), as the sum over the
cells of q log(q / p) dA. The grid must cover the posterior's mass (``lim`` = 4
covers what the prior and a trained encoder put there) and be fine enough for
the posterior to be smooth on it.

In any dimension, naive Monte Carlo with prior samples
(:func:`~vae_course.prior_monte_carlo.prior_log_evidence`, chapter 1) needs
astronomically many samples when the posterior is small next to the prior;
importance sampling with the encoder as proposal (``iwae_bound``) fixes that.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import require_float, require_positive_int
from .gaussian import log_normal_diag
from .models import require_input, require_vae


class GridPosterior(NamedTuple):
    """The posterior of a k = 2 model on a square grid.

    Its fields: ``axis`` ``[n]``, the grid values of z_1 and of z_2 (the
    same for both); ``z`` ``[n * n, 2]``, the grid points, z_1 varying
    fastest (point ``r * n + c`` is ``(axis[c], axis[r])``); ``log_joint``
    ``[batch, n * n]``, log p_theta(x, z) at each point in nats;
    ``log_evidence`` ``[batch]``, log p_theta(x) from the grid in nats;
    ``log_posterior`` ``[batch, n * n]``, log p_theta(z|x), a log-density
    in z; ``cell_area``, dA, the area of one grid cell.
    """

    axis: torch.Tensor
    z: torch.Tensor
    log_joint: torch.Tensor
    log_evidence: torch.Tensor
    log_posterior: torch.Tensor
    cell_area: float


@torch.no_grad()
def grid_posterior(
    model, x: torch.Tensor, lim: float = 4.0, n: int = 121
) -> GridPosterior:
    r"""p_theta(z|x) and log p_theta(x) on an n x n grid over [-lim, lim]^2.

    Args:
        model: a VAE with ``latent_dim == 2``, ``decode`` and ``likelihood``.
        x: images ``[batch, ...]`` on the model's device.
        lim: half-width of the grid in z (the prior's mass is within about 4).
        n: grid points per axis (at least 2).

    Returns:
        :class:`GridPosterior`; the decoder runs once on the n * n grid
        points and each image is scored against all of them.
    """
    require_float("x", x)
    require_positive_int("n", n)
    if getattr(model, "latent_dim", None) != 2:
        raise ValueError(
            "grid_posterior needs a model with latent_dim 2, got "
            f"{getattr(model, 'latent_dim', None)}"
        )
    if n < 2 or not lim > 0:
        raise ValueError(f"need n >= 2 and lim > 0, got n={n}, lim={lim}")
    require_vae(model)
    axis = torch.linspace(-lim, lim, n, dtype=x.dtype, device=x.device)
    z2, z1 = torch.meshgrid(axis, axis, indexing="ij")
    z = torch.stack([z1.flatten(), z2.flatten()], dim=1)  # [G, 2]
    cell_area = float((axis[1] - axis[0]) ** 2)
    decoded = model.decoder(z)  # [G, ...]
    zeros = torch.zeros_like(z)
    log_prior = log_normal_diag(z, zeros, zeros)  # [G]
    log_likelihood = model.likelihood.pairwise_log_prob(x, decoded)
    log_joint = log_likelihood + log_prior  # [batch, G]
    log_evidence = torch.logsumexp(log_joint, dim=1) + math.log(cell_area)
    log_posterior = log_joint - log_evidence[:, None]
    return GridPosterior(
        axis, z, log_joint, log_evidence, log_posterior, cell_area
    )


def grid_kl(
    log_q: torch.Tensor, log_p: torch.Tensor, cell_area: float
) -> torch.Tensor:
    r"""KL(q || p) = sum_g q(z_g) (log q(z_g) - log p(z_g)) dA on a grid.

    Args:
        log_q, log_p: ``[batch, G]`` log-densities at the same G points.
        cell_area: dA, the area of one cell.

    Returns:
        ``[batch]`` nats (zero when the two densities agree on the grid).
    """
    if log_q.shape != log_p.shape:
        raise ValueError(
            f"log_q has shape {list(log_q.shape)} but log_p has "
            f"{list(log_p.shape)}; they must match"
        )
    q = torch.exp(log_q)
    return (q * (log_q - log_p)).sum(dim=-1) * cell_area


@torch.no_grad()
def encoder_on_grid(model, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """log q_phi(z|x) at the points ``z [G, k]``: ``[batch, G]`` nats."""
    require_vae(model)
    require_input(model, x)
    mu, logvar = model.encoder(x)  # [batch, k] each
    return log_normal_diag(z[:, None, :], mu, logvar).T
