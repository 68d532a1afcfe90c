r"""The aggregate posterior q(z) against the prior p(z) (chapter 6).

The encoder maps the N training images to N Gaussians; their average is the
*aggregate posterior*, the density of the codes the decoder was trained on:

    q_phi(z) = (1/N) sum_n N(z; mu_n, diag(exp(logvar_n))).

The ELBO's KL term, averaged over the data, splits into two non-negative
pieces (Hoffman and Johnson 2016, "ELBO surgery"):

    (1/N) sum_n KL(q(z|x_n) || p(z)) = I_q(x; z) + KL(q(z) || p(z)),

the mutual information between the image index and its code under
q(x, z) = (1/N) q(z|x_n) (at most log N nats), and how far the codes'
density is from the prior. Where p(z) has mass and q(z) has none ("holes"),
prior samples decode to images the decoder never learned to make; a density
fitted to the codes after training ("ex-post density estimation", Ghosh et
al. 2020) samples where the codes are.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import require_float, require_positive_int, require_same_shape
from .gaussian import gaussian_kl, log_normal_diag
from .reparam import reparameterize


def _require_codes(mu: torch.Tensor, logvar: torch.Tensor) -> None:
    require_float("mu", mu)
    require_same_shape("mu", mu, "logvar", logvar)
    if mu.dim() != 2 or mu.shape[0] < 1:
        raise ValueError(
            "mu and logvar must be [N, k] (one row per image), got "
            f"{list(mu.shape)}"
        )


def log_aggregate_posterior(
    z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
) -> torch.Tensor:
    r"""log q_phi(z) = log (1/N) sum_n N(z; mu_n, exp(logvar_n)), nats.

    Args:
        z: points ``[M, k]``.
        mu, logvar: the encoder's outputs for N images, ``[N, k]`` each.

    Returns:
        ``[M]`` log-densities (a ``logsumexp`` over the N Gaussians).
    """
    _require_codes(mu, logvar)
    if z.dim() != 2 or z.shape[1] != mu.shape[1]:
        raise ValueError(f"z must be [M, {mu.shape[1]}], got {list(z.shape)}")
    out = []
    for z_chunk in z.split(512):  # [512, N] log-densities at a time
        log_each = log_normal_diag(z_chunk[:, None, :], mu, logvar)
        out.append(torch.logsumexp(log_each, dim=1))
    return torch.cat(out) - math.log(mu.shape[0])


def sample_aggregate_posterior(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    n: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""n draws of q_phi(z): pick an image n uniformly, then z ~ q(z|x_n).

    ``mu, logvar [N, k]`` -> ``[n, k]``.
    """
    _require_codes(mu, logvar)
    require_positive_int("n", n)
    pick = torch.randint(
        mu.shape[0], (n,), generator=generator, device=mu.device
    )
    eps = torch.randn(
        n, mu.shape[1], generator=generator, dtype=mu.dtype, device=mu.device
    )
    return mu[pick] + torch.exp(0.5 * logvar[pick]) * eps


class Surgery(NamedTuple):
    """The ELBO's average KL term and its two pieces, all in nats.

    ``average_kl = mutual_information + marginal_kl``.
    """

    average_kl: float
    mutual_information: float
    marginal_kl: float


@torch.no_grad()
def elbo_surgery(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    generator: torch.Generator | None = None,
) -> Surgery:
    r"""Split (1/N) sum_n KL(q(z|x_n) || p(z)) into I(x; z) + KL(q(z) || p).

    ``average_kl`` is exact (the closed form of chapter 1, averaged). The
    mutual information is a Monte Carlo average with one draw
    z_n ~ q(z|x_n) per image and the exact log q(z) of
    :func:`log_aggregate_posterior`,

        I(x; z) = (1/N) sum_n [log q(z_n|x_n) - log q(z_n)],

    (between 0 and log N), and ``marginal_kl`` is the difference
    (Hoffman and Johnson 2016). ``mu, logvar [N, k]``.
    """
    _require_codes(mu, logvar)
    average_kl = gaussian_kl(mu, logvar).mean()
    z = reparameterize(mu, logvar, generator=generator)  # one per image
    log_q_own = log_normal_diag(z, mu, logvar)  # [N]
    information = (log_q_own - log_aggregate_posterior(z, mu, logvar)).mean()
    return Surgery(
        average_kl.item(),
        information.item(),
        (average_kl - information).item(),
    )


@torch.no_grad()
def prior_hole_mass(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    ratio: float = 0.1,
    n_samples: int = 2000,
    generator: torch.Generator | None = None,
) -> float:
    r"""The prior's mass where the codes are rare: P_p(q(z) < ratio p(z)).

    A Monte Carlo share of ``n_samples`` prior draws z ~ N(0, I) at which
    the aggregate posterior's density is below ``ratio`` times the prior's.
    0 when q(z) covers the prior; ``mu, logvar [N, k]``.
    """
    _require_codes(mu, logvar)
    require_positive_int("n_samples", n_samples)
    if not ratio > 0:
        raise ValueError(f"ratio must be positive, got {ratio}")
    z = torch.randn(
        n_samples,
        mu.shape[1],
        generator=generator,
        dtype=mu.dtype,
        device=mu.device,
    )
    zeros = torch.zeros_like(z)
    log_prior = log_normal_diag(z, zeros, zeros)
    log_q = log_aggregate_posterior(z, mu, logvar)
    return (log_q < log_prior + math.log(ratio)).float().mean().item()


def fit_code_density(codes: torch.Tensor, n_components: int = 10, seed=0):
    r"""Ex-post density estimation: a Gaussian mixture fitted to codes.

    ``codes [N, k]`` (e.g. draws of q(z)) -> a fitted
    ``sklearn.mixture.GaussianMixture`` with full covariances; sample it
    with :func:`sample_code_density`.
    """
    from sklearn.mixture import GaussianMixture

    require_float("codes", codes)
    require_positive_int("n_components", n_components)
    if codes.dim() != 2 or codes.shape[0] < n_components:
        raise ValueError(
            f"codes must be [N, k] with N >= n_components = {n_components}, "
            f"got {list(codes.shape)}"
        )
    mixture = GaussianMixture(n_components, random_state=seed)
    return mixture.fit(codes.detach().cpu().double().numpy())


def sample_code_density(mixture, n: int, seed: int = 0) -> torch.Tensor:
    """n codes ``[n, k]`` (float32, CPU) drawn from a fitted mixture."""
    require_positive_int("n", n)
    mixture.random_state = seed
    z, _ = mixture.sample(n)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return torch.as_tensor(z, dtype=torch.float32)[order]
