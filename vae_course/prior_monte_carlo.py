r"""Naive Monte Carlo of the evidence with prior samples (chapter 1, §1.3).

    p(x) = E_{z ~ p(z)}[ p(x|z) ]
         ~= (1/K) sum_{j=1}^K p(x | z_j),   z_j ~ N(0, I),

computed in log space: log p_hat(x) = logsumexp_j log p(x|z_j) - log K, in
nats. p_hat(x) is unbiased for p(x); its log is biased low (Jensen), badly so
when few z_j land where p(x|z) is large. How few is measured by the effective
sample size of the weights w_j = p(x|z_j),

    ESS = (sum_j w_j)^2 / sum_j w_j^2,   1 <= ESS <= K,

which is K when every sample counts equally and 1 when one sample carries all
the weight. Chapter 5 replaces the prior by q_phi(z|x) as the proposal
(importance sampling, the IWAE bound).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import require_float, require_positive_int
from .models import require_vae


class PriorEstimate(NamedTuple):
    """``log_evidence``: log p_hat(x), ``[batch]`` nats; ``ess``: in [1, K]."""

    log_evidence: torch.Tensor
    ess: torch.Tensor


@torch.no_grad()
def prior_log_evidence(
    model,
    x: torch.Tensor,
    n_samples: int,
    generator: torch.Generator | None = None,
    chunk_size: int = 1000,
) -> PriorEstimate:
    r"""log (1/K) sum_j p(x|z_j) with z_j ~ N(0, I), and the weights' ESS.

    The same K prior samples serve every image of the batch (each image's
    estimate is still unbiased for p(x)); they are decoded ``chunk_size`` at
    a time and scored against all images at once, so K = 10,000 fits in
    memory for real VAEs.

    Args:
        model: anything with ``decoder(z)``, ``latent_dim`` and
            ``likelihood`` (the package's VAEs and
            :class:`~vae_course.linear_gaussian.LinearGaussianModel`).
        x: data ``[batch, ...]``.
        n_samples: K, prior samples (each is one decoder pass).
        generator: optional ``torch.Generator`` on x's device.
        chunk_size: samples decoded at once.

    Returns:
        :class:`PriorEstimate` ``(log_evidence [batch] nats, ess [batch])``.
    """
    require_float("x", x)
    require_positive_int("n_samples", n_samples)
    require_positive_int("chunk_size", chunk_size)
    require_vae(model)
    log_w = []  # chunks of [m, batch]: log p(x_b | z_j)
    for done in range(0, n_samples, chunk_size):
        m = min(chunk_size, n_samples - done)
        z = torch.randn(
            (m, model.latent_dim),
            generator=generator,
            dtype=x.dtype,
            device=x.device,
        )
        decoded = model.decoder(z).reshape(m, *x.shape[1:])
        log_w.append(model.likelihood.pairwise_log_prob(x, decoded).T)
    log_w = torch.cat(log_w)  # [K, batch]
    log_evidence = torch.logsumexp(log_w, dim=0) - math.log(n_samples)
    ess = torch.exp(
        2 * torch.logsumexp(log_w, dim=0) - torch.logsumexp(2 * log_w, dim=0)
    )
    return PriorEstimate(log_evidence, ess)
