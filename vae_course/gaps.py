r"""Where the ELBO's gap comes from: approximation and amortisation (ch. 6).

For one image x the gap of chapter 1, log p(x) - ELBO(x) =
KL(q_phi(z|x) || p(z|x)), splits in two (Cremer, Li and Duvenaud 2018):

    log p(x) - ELBO_phi(x)
        = [log p(x) - ELBO_q*(x)] + [ELBO_q*(x) - ELBO_phi(x)]
        =  approximation gap      +  amortisation gap

where q* is the best diagonal Gaussian for this x alone,
q* = argmin_q KL(q || p(z|x)), and q_phi(z|x) the encoder's. The first
piece is the price of the Gaussian family, the second the price of one
network for all images. With k = 2 both are KLs on the grid of chapter 5
(:func:`~vae_course.posterior.grid_posterior`):
approximation = KL(q* || p(z|x)), amortisation = KL(q_phi || p(z|x)) -
KL(q* || p(z|x)), each ``[batch]`` nats.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ._checks import require_positive_int, require_same_shape
from .gaussian import log_normal_diag
from .posterior import grid_kl


def grid_gaussian_kl(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    z: torch.Tensor,
    log_posterior: torch.Tensor,
    cell_area: float,
) -> torch.Tensor:
    r"""KL(N(mu, exp(logvar)) || p(z|x)) on a grid, ``[batch]`` nats.

    ``mu, logvar [batch, k]``; grid points ``z [G, k]``; the posterior's
    log-density ``log_posterior [batch, G]``; ``cell_area`` dA.
    """
    require_same_shape("mu", mu, "logvar", logvar)
    log_q = log_normal_diag(z[:, None, :], mu, logvar).T  # [batch, G]
    return grid_kl(log_q, log_posterior, cell_area)


def best_gaussian(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    z: torch.Tensor,
    log_posterior: torch.Tensor,
    cell_area: float,
    steps: int = 100,
    lr: float = 0.05,
    window: float = 20.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""q* = argmin over diagonal Gaussians of KL(q || p(z|x)), per image.

    Adam on (mu, logvar), started at the encoder's ``mu, logvar
    [batch, k]``; the KL is summed over the grid points where the
    posterior is within e^-``window`` of its peak (elsewhere q* has no
    business). Returns ``(mu*, logvar*)``, ``[batch, k]`` each, detached.
    """
    require_same_shape("mu", mu, "logvar", logvar)
    require_positive_int("steps", steps)
    peak = log_posterior.max(dim=1, keepdim=True).values
    keep = log_posterior > peak - window  # [batch, G]
    width = int(keep.sum(dim=1).max())
    index = keep.float().sort(dim=1, descending=True, stable=True).indices
    index = index[:, :width]  # each image's support, padded: [batch, S]
    inside = torch.gather(keep, 1, index)  # False: padding
    z_s = z[index]  # [batch, S, k]
    log_p = torch.gather(log_posterior, 1, index)
    mu = mu.detach().clone().requires_grad_()
    logvar = logvar.detach().clone().requires_grad_()
    optimizer = torch.optim.Adam([mu, logvar], lr=lr)
    for _ in range(steps):
        log_q = log_normal_diag(z_s, mu[:, None, :], logvar[:, None, :])
        q = torch.where(inside, torch.exp(log_q), 0.0)
        kl = (q * (log_q - log_p)).sum(dim=1) * cell_area
        optimizer.zero_grad()
        kl.sum().backward()
        optimizer.step()
    return mu.detach(), logvar.detach()


class Gaps(NamedTuple):
    """The ELBO's gap per image and its two pieces, ``[batch]`` nats.

    ``total = approximation + amortisation``; ``mu_best``, ``logvar_best``
    ``[batch, k]`` are q*'s parameters.
    """

    total: torch.Tensor
    approximation: torch.Tensor
    amortisation: torch.Tensor
    mu_best: torch.Tensor
    logvar_best: torch.Tensor


def inference_gaps(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    z: torch.Tensor,
    log_posterior: torch.Tensor,
    cell_area: float,
    steps: int = 100,
    lr: float = 0.05,
) -> Gaps:
    r"""KL(q_phi || p(z|x)) = approximation + amortisation, ``[batch]``.

    total = KL(q_phi || p(z|x)) (the encoder's ``mu, logvar``);
    approximation = KL(q* || p(z|x)) with q* from :func:`best_gaussian`
    (kept only where it beats the encoder, so that no piece is negative);
    amortisation = total - approximation. All KLs on the full grid.
    """
    total = grid_gaussian_kl(mu, logvar, z, log_posterior, cell_area)
    mu_best, logvar_best = best_gaussian(
        mu, logvar, z, log_posterior, cell_area, steps, lr
    )
    with torch.no_grad():
        best = grid_gaussian_kl(
            mu_best, logvar_best, z, log_posterior, cell_area
        )
    better = best < total
    approximation = torch.where(better, best, total)
    mu_best = torch.where(better[:, None], mu_best, mu.detach())
    logvar_best = torch.where(better[:, None], logvar_best, logvar.detach())
    return Gaps(
        total.detach(),
        approximation.detach(),
        (total - approximation).detach(),
        mu_best,
        logvar_best,
    )
