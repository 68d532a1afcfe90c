"""The decoder's log-likelihood log p_theta(x|z) (chapters 1, 4).

It is the reconstruction term of the ELBO. Two choices from the lectures:

* Bernoulli pixels (MNIST in [0, 1]):
  ``log p(x|z) = sum_i x_i log s(l_i) + (1 - x_i) log s(-l_i)`` with ``s``
  the sigmoid and ``l`` the decoder's logits; it equals minus the binary
  cross-entropy summed over pixels.
* Gaussian with identity covariance, ``p(x|z) = N(x_hat, I)``:
  ``log p(x|z) = -1/2 ||x - x_hat||^2 - (d/2) log(2 pi)``. The sign and the
  constant matter when values are reported in nats.

Both sum over every non-batch dimension and return one value per example,
``[batch]``, in nats.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._checks import (
    require_batch,
    require_float,
    require_in_unit_interval,
    require_min_dim,
    require_same_device,
    require_same_shape,
)

LIKELIHOODS = ("bernoulli", "gaussian")


def _check_pair(x: torch.Tensor, name: str, other: torch.Tensor) -> None:
    require_batch("x", x)
    require_float(name, other)
    require_min_dim("x", x, 1, "a batch dimension first")
    # decoder outputs may carry leading sample dimensions [M, batch, ...]
    trailing = other.shape[max(0, other.dim() - x.dim()) :]
    if other.dim() < x.dim() or trailing != x.shape:
        require_same_shape("x", x, name, other)
    require_same_device(x=x, **{name: other})


def _sum_data_dims(values: torch.Tensor, data_dims: int) -> torch.Tensor:
    return (
        values.sum(dim=tuple(range(values.dim() - data_dims, values.dim())))
        if data_dims
        else values
    )


def _flat_like(x: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """``[..., 1, 28, 28]`` outputs as ``[..., 784]`` for flat x."""
    if (
        isinstance(x, torch.Tensor)
        and isinstance(output, torch.Tensor)
        and x.dim() == 2
        and output.dim() >= 4
        and output.shape[-1] != x.shape[1]
        and math.prod(output.shape[-3:]) == x.shape[1]
    ):
        return output.flatten(-3)
    return output


def bernoulli_log_likelihood(
    x: torch.Tensor, logits: torch.Tensor
) -> torch.Tensor:
    r"""log Bernoulli(x | sigmoid(logits)), summed over pixels, in nats.

    Chapter 1. Computed from logits (``-binary_cross_entropy_with_logits``),
    so it stays finite for logits of +-100, where ``log(sigmoid(l))`` would
    underflow.

    Args:
        x: targets in [0, 1], ``[batch, ...]`` (e.g. ``[batch, 1, 28, 28]``).
        logits: decoder output of the same shape, or with leading sample
            dims ``[M, batch, ...]``.
    """
    _check_pair(x, "logits", logits)
    require_in_unit_interval("x (Bernoulli targets)", x, open_interval=False)
    target = x.expand_as(logits)
    ll = -F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return _sum_data_dims(ll, x.dim() - 1)


def gaussian_log_likelihood(
    x: torch.Tensor, mean: torch.Tensor
) -> torch.Tensor:
    r"""log N(x | mean, I) summed over the d data dimensions: ``[batch]`` nats.

    Chapter 1: ``-1/2 ||x - mean||^2 - (d/2) log(2 pi)``, minus half the
    squared error, minus a constant.

    Args:
        x: data ``[batch, ...]``.
        mean: decoder output of the same shape, or with leading sample dims
            ``[M, batch, ...]``.
    """
    _check_pair(x, "mean", mean)
    d = x[0].numel()
    squared_error = _sum_data_dims((x - mean).pow(2), x.dim() - 1)
    return -0.5 * squared_error - 0.5 * d * math.log(2 * math.pi)


def log_likelihood(
    x: torch.Tensor, decoder_output: torch.Tensor, likelihood: str
) -> torch.Tensor:
    """log p(x|z), ``[batch]`` (or ``[M, batch]``) nats, for either likelihood.

    ``likelihood="bernoulli"``: the decoder output holds logits;
    ``"gaussian"``: it holds the mean of N(mean, I). Flat data rows
    ``x [batch, 784]`` (chapter 1's view of an image) are scored against
    image-shaped outputs ``[..., batch, 1, 28, 28]`` pixel by pixel.
    """
    decoder_output = _flat_like(x, decoder_output)
    if likelihood == "bernoulli":
        return bernoulli_log_likelihood(x, decoder_output)
    if likelihood == "gaussian":
        return gaussian_log_likelihood(x, decoder_output)
    raise ValueError(
        f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}"
    )


def decoder_mean(
    decoder_output: torch.Tensor, likelihood: str
) -> torch.Tensor:
    """The mean of p_theta(x|z), E[x|z]: sigmoid(logits) or the Gaussian mean.

    Shapes are kept (``[..., 1, 28, 28]`` for the course's models); this is
    what generation's Method A and reconstructions show.
    """
    if likelihood == "bernoulli":
        return torch.sigmoid(decoder_output)
    if likelihood == "gaussian":
        return decoder_output
    raise ValueError(
        f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}"
    )
