"""The decoder's log-likelihood log p_theta(x|z): the reconstruction term of the ELBO (chapters 1, 4).

Two choices from the lectures:

* Bernoulli pixels (MNIST in [0, 1]):
  ``log p(x|z) = sum_i x_i log s(l_i) + (1 - x_i) log s(-l_i)`` with ``s`` the sigmoid and
  ``l`` the decoder's logits; it equals minus the binary cross-entropy summed over pixels.
* Gaussian with identity covariance, ``p(x|z) = N(x_hat, I)``:
  ``log p(x|z) = -1/2 ||x - x_hat||^2 - (d/2) log(2 pi)``. The sign and the constant matter
  when values are reported in nats.

Both sum over every non-batch dimension and return one value per example, ``[batch]``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._checks import (
    require_float,
    require_in_unit_interval,
    require_min_dim,
    require_same_device,
    require_same_shape,
)

LIKELIHOODS = ("bernoulli", "gaussian")


def _check_pair(x: torch.Tensor, name: str, other: torch.Tensor) -> None:
    require_float("x", x)
    require_float(name, other)
    require_min_dim("x", x, 1, "a batch dimension first")
    if other.shape != x.shape:
        # decoder outputs may carry leading sample dimensions [M, batch, ...]
        if (
            other.dim() < x.dim()
            or other.shape[other.dim() - x.dim() :] != x.shape
        ):
            require_same_shape("x", x, name, other)
    require_same_device(x=x, **{name: other})


def _sum_data_dims(values: torch.Tensor, data_dims: int) -> torch.Tensor:
    return (
        values.sum(dim=tuple(range(values.dim() - data_dims, values.dim())))
        if data_dims
        else values
    )


def bernoulli_log_likelihood(
    x: torch.Tensor, logits: torch.Tensor, validate: bool = True
) -> torch.Tensor:
    r"""log Bernoulli(x | sigmoid(logits)), summed over pixels: ``[batch]`` nats (chapter 1).

    Computed from logits (``-binary_cross_entropy_with_logits``), so it stays finite for
    logits of +-100, where ``log(sigmoid(l))`` would underflow.

    Args:
        x: targets in [0, 1], ``[batch, ...]`` (e.g. ``[batch, 1, 28, 28]``).
        logits: decoder output of the same shape, or with leading sample dims ``[M, batch, ...]``.
        validate: check shapes, dtypes and the [0, 1] range (the trainer checks its data once
            up front and skips the per-batch checks, which cost a device synchronisation).
    """
    if validate:
        _check_pair(x, "logits", logits)
        require_in_unit_interval(
            "x (Bernoulli targets)", x, open_interval=False
        )
    target = x.expand_as(logits)
    ll = -F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return _sum_data_dims(ll, x.dim() - 1)


def gaussian_log_likelihood(
    x: torch.Tensor, mean: torch.Tensor, validate: bool = True
) -> torch.Tensor:
    r"""log N(x | mean, I), summed over the ``d`` data dimensions: ``[batch]`` nats (chapter 1).

    ``-1/2 ||x - mean||^2 - (d/2) log(2 pi)``: minus half the squared error, minus a constant.

    Args:
        x: data ``[batch, ...]``.
        mean: decoder output of the same shape, or with leading sample dims ``[M, batch, ...]``.
    """
    if validate:
        _check_pair(x, "mean", mean)
    d = x[0].numel()
    sq = (x - mean).pow(2)
    return -0.5 * _sum_data_dims(sq, x.dim() - 1) - 0.5 * d * math.log(
        2 * math.pi
    )


def log_likelihood(
    x: torch.Tensor,
    decoder_output: torch.Tensor,
    likelihood: str,
    validate: bool = True,
) -> torch.Tensor:
    """Dispatch to the Bernoulli (decoder output = logits) or Gaussian (output = mean) likelihood."""
    if likelihood == "bernoulli":
        return bernoulli_log_likelihood(x, decoder_output, validate=validate)
    if likelihood == "gaussian":
        return gaussian_log_likelihood(x, decoder_output, validate=validate)
    raise ValueError(
        f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}"
    )
