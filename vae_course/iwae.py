r"""Training on a tighter bound: the IWAE objective (chapter 6).

Burda et al. (2015) train on the importance-weighted bound itself,

    L_K(x) = log (1/K) sum_i w_i,   w_i = p(x|z_i) p(z_i) / q(z_i|x),
    z_i = mu + sigma * eps_i ~ q_phi(z|x)   (reparameterized),

which is the ELBO for K = 1 and rises towards log p(x) with K. Its gradient
weighs each sample by its normalised weight w_i / sum_j w_j. Rainforth et
al. (2018) showed the catch: as K grows, the encoder's gradient estimate
loses signal against its noise (its signal-to-noise ratio falls like
1/sqrt(K)) while the decoder's rises like sqrt(K) (:func:`gradient_snr`).
"""

from __future__ import annotations

import math

import torch

from ._checks import require_positive_int
from .gaussian import log_normal_diag
from .models import require_vae
from .reparam import reparameterize


def log_weights(
    model, x: torch.Tensor, k: int, generator=None
) -> torch.Tensor:
    r"""log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x), ``[K, batch]``.

    ``z_i`` are K reparameterized draws of q_phi(z|x) for each image of
    ``x [batch, ...]``, so the result is differentiable in phi and theta.
    """
    require_vae(model)
    require_positive_int("k", k)
    mu, logvar = model.encoder(x)  # [batch, latent] each
    z = reparameterize(mu, logvar, k, generator)  # [K, batch, latent]
    zeros = torch.zeros_like(mu)
    log_px_z = model.likelihood.log_prob(x, model.decoder(z))  # [K, batch]
    return (
        log_px_z
        + log_normal_diag(z, zeros, zeros)
        - log_normal_diag(z, mu, logvar)
    )


class IWAEObjective:
    r"""Minus the IWAE bound L_K of a batch, the trainer's loss (chapter 6).

    ``loss = -mean_batch L_K(x)`` with
    ``L_K = logsumexp_i(log w_i) - log K`` over K reparameterized samples.
    The parts, ``[batch]`` nats each: ``iwae`` (L_K) and ``elbo`` (the mean
    log-weight, an unbiased K-sample estimate of the ELBO), so that runs
    with the ELBO and with L_K compare on the same numbers.

    Args:
        k: K, importance samples per image (1 gives the ELBO).
    """

    def __init__(self, k: int = 5):
        self.k = require_positive_int("k", k)

    def __call__(self, model, x, generator=None):
        """``(loss, {"iwae", "elbo"})`` for a batch x."""
        log_w = log_weights(model, x, self.k, generator)  # [K, batch]
        bound = torch.logsumexp(log_w, dim=0) - math.log(self.k)
        parts = {"iwae": bound.detach(), "elbo": log_w.mean(dim=0).detach()}
        return -bound.mean(), parts

    def __repr__(self) -> str:
        return f"IWAEObjective(k={self.k})"


def gradient_snr(
    model,
    x: torch.Tensor,
    objective,
    parameters,
    repeats: int = 50,
    generator: torch.Generator | None = None,
) -> float:
    r"""Signal-to-noise ratio of a gradient estimate (Rainforth et al. 2018).

    Draws ``repeats`` gradients of ``objective(model, x, generator)``'s loss
    with respect to ``parameters`` on the same batch ``x`` (fresh noise
    each time), and returns the mean over the parameters' entries of
    ``SNR_j = |mean_r g_rj| / std_r g_rj`` (entries whose gradient never
    varies are left out). Higher: the estimate points the same way each
    time.
    """
    require_positive_int("repeats", repeats)
    parameters = list(parameters)
    if repeats < 2 or not parameters:
        raise ValueError(
            "need repeats >= 2 and at least one parameter, got "
            f"repeats={repeats} and {len(parameters)} parameters"
        )
    draws = []
    for _ in range(repeats):
        loss, _ = objective(model, x, generator)
        grads = torch.autograd.grad(loss, parameters)
        draws.append(torch.cat([g.flatten() for g in grads]))
    draws = torch.stack(draws)  # [repeats, entries]
    spread = draws.std(dim=0)
    varies = spread > 0
    return (draws.mean(dim=0).abs()[varies] / spread[varies]).mean().item()
