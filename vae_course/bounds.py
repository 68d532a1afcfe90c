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
    require_same_shape,
    shape_str,
)
from .gaussian import gaussian_kl, log_normal_diag
from .likelihoods import Likelihood, require_likelihood
from .models import VAE, require_input, require_vae
from .reparam import reparameterize


class ELBO(NamedTuple):
    """The ELBO and its parts, each ``[batch]`` in nats.

    ``elbo = reconstruction - beta * kl``: ``reconstruction`` is the Monte
    Carlo estimate of E_q[log p(x|z)], ``kl`` is KL(q(z|x) || N(0, I)) in
    closed form. The same three names are the parts of
    :class:`~vae_course.objectives.ELBOObjective`, the keys of
    :func:`~vae_course.objectives.evaluate` and the fields of
    :class:`~vae_course.training.History` (``train_elbo``, ...).
    """

    reconstruction: torch.Tensor
    kl: torch.Tensor
    elbo: torch.Tensor


def elbo_from_outputs(
    x: torch.Tensor,
    decoder_output: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    likelihood: Likelihood | str = "bernoulli",
    beta: float = 1.0,
) -> ELBO:
    r"""The ELBO's parts from one forward pass (chapter 4).

    :func:`elbo` and :class:`~vae_course.objectives.ELBOObjective` (the
    trainer's loss) call it.

    ``reconstruction = log p(x|z)`` (averaged over M samples),
    ``kl = KL(N(mu, exp(logvar)) || N(0, I))``,
    ``elbo = reconstruction - beta * kl``: each ``[batch]`` nats.

    Args:
        x: data ``[batch, ...]`` (flat ``[batch, 784]`` works too).
        decoder_output: the decoder's output for reparameterized samples,
            ``[batch, ...]`` for one sample or ``[M, batch, ...]`` for M.
        mu, logvar: the encoder's outputs, ``[batch, k]``.
        likelihood: the model's :class:`~vae_course.likelihoods.Likelihood`
            or its name: ``"bernoulli"`` (decoder output = logits) or
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
    likelihood = require_likelihood(likelihood)
    log_px_z = likelihood.log_prob(x, decoder_output)
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
    require_input(model, x)
    require_positive_int("n_samples", n_samples)
    mu, logvar = model.encoder(x)
    z = reparameterize(mu, logvar, n_samples, generator)  # [M, batch, k]
    return elbo_from_outputs(
        x, model.decoder(z), mu, logvar, model.likelihood, beta
    )


def require_chunk_size(chunk_size, x: torch.Tensor, k: int) -> int:
    """A positive chunk size; None: about 4M decoded values at a time."""
    if chunk_size is None:
        return max(1, min(k, (1 << 22) // max(1, x.numel())))
    return require_positive_int("chunk_size", chunk_size)


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
    require_input(model, x)
    require_positive_int("k", k)
    chunk_size = require_chunk_size(chunk_size, x, k)
    mu, logvar = model.encoder(x)
    zeros = torch.zeros_like(mu)
    log_w = []
    for first in range(0, k, chunk_size):
        m = min(chunk_size, k - first)
        z = reparameterize(mu, logvar, m, generator)  # [m, batch, k]
        x_params = model.decoder(z)
        log_px_z = model.likelihood.log_prob(x, x_params)  # [m, batch]
        log_pz = log_normal_diag(z, zeros, zeros)
        log_qz = log_normal_diag(z, mu, logvar)
        log_w.append(log_px_z + log_pz - log_qz)
    log_w = torch.cat(log_w, dim=0)  # [k, batch]
    return torch.logsumexp(log_w, dim=0) - math.log(k)
