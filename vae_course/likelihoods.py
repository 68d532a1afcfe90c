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

A model's likelihood is an object (:class:`Likelihood`) with ``log_prob``,
``pairwise_log_prob``, ``mean`` and ``sample``, chosen by the names the
models take: ``get_likelihood("bernoulli")`` or ``"gaussian"``.
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
    require_same_trailing_shape,
)


def _check_pair(x: torch.Tensor, name: str, other: torch.Tensor) -> None:
    require_batch("x", x)
    require_float(name, other)
    require_min_dim("x", x, 2, "[batch, ...], a batch dimension first")
    # decoder outputs may carry leading sample dimensions [M, batch, ...]
    trailing = other.shape[max(0, other.dim() - x.dim()) :]
    if other.dim() < x.dim() or trailing != x.shape:
        require_same_shape("x", x, name, other)
    require_same_device(x=x, **{name: other})


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
    pixels = tuple(range(1 - x.dim(), 0))  # every dimension of one image
    return ll.sum(dim=pixels)


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
    pixels = tuple(range(1 - x.dim(), 0))  # every dimension of one image
    squared_error = (x - mean).pow(2).sum(dim=pixels)
    return -0.5 * squared_error - 0.5 * d * math.log(2 * math.pi)


class Likelihood:
    """The decoder's distribution p_theta(x|z), given its parameters.

    ``params`` is the decoder's output for codes z: ``[batch, ...]`` or
    ``[M, batch, ...]`` with M samples of z per image.

    * ``log_prob(x, params)``: log p(x|z), ``[batch]`` (or ``[M, batch]``)
      nats;
    * ``pairwise_log_prob(x, params)``: log p(x_b | z_g) for all B images
      and G codes, ``[B, G]`` nats (``params`` ``[G, ...]``);
    * ``mean(params)``: E[x|z], the image a decoder shows;
    * ``sample(params, generator)``: a draw x ~ p(x|z).
    """

    name = ""

    def log_prob(self, x, params):
        raise NotImplementedError

    def pairwise_log_prob(self, x, params):
        raise NotImplementedError

    def mean(self, params):
        raise NotImplementedError

    def sample(self, params, generator=None):
        raise NotImplementedError

    def check_data(self, name: str, x: torch.Tensor) -> None:
        """Refuse data this likelihood cannot score (a clear ValueError)."""
        require_batch(name, x)

    def __repr__(self) -> str:
        return f"get_likelihood({self.name!r})"


class BernoulliLikelihood(Likelihood):
    """Independent Bernoulli pixels; the decoder outputs their logits."""

    name = "bernoulli"

    def log_prob(self, x, logits):
        """sum_j x_j log s(l_j) + (1 - x_j) log s(-l_j), ``[batch]`` nats."""
        return bernoulli_log_likelihood(x, _flat_like(x, logits))

    def pairwise_log_prob(self, x, logits):
        r"""sum_j x_j l_j - softplus(l_j) for every pair: ``[B, G]`` nats.

        The sum over pixels splits into an inner product, so all B * G
        pairs cost one matrix product.
        """
        require_same_trailing_shape("x", x, "logits", logits)
        x_flat, out = x.flatten(1).to(logits.dtype), logits.flatten(1)
        return x_flat @ out.T - F.softplus(out).sum(dim=1)

    def mean(self, logits):
        """E[x|z] = sigmoid(logits), each pixel's probability of 1."""
        return torch.sigmoid(logits)

    def sample(self, logits, generator=None):
        """0/1 pixels drawn with probability sigmoid(logits)."""
        return torch.bernoulli(torch.sigmoid(logits), generator=generator)

    def check_data(self, name: str, x: torch.Tensor) -> None:
        require_batch(name, x)
        require_in_unit_interval(name, x, open_interval=False)


class GaussianLikelihood(Likelihood):
    """N(mean, I) over the pixels; the decoder outputs the mean."""

    name = "gaussian"

    def log_prob(self, x, mean):
        """-1/2 ||x - mean||^2 - (d/2) log(2 pi), ``[batch]`` nats."""
        return gaussian_log_likelihood(x, _flat_like(x, mean))

    def pairwise_log_prob(self, x, mean):
        r"""-1/2 ||x_b - m_g||^2 - (d/2) log(2 pi) for every pair: ``[B, G]``.

        ``||x - m||^2 = ||x||^2 - 2 x.m + ||m||^2``: one matrix product.
        """
        require_same_trailing_shape("x", x, "mean", mean)
        x_flat, out = x.flatten(1).to(mean.dtype), mean.flatten(1)
        squared = (
            x_flat.pow(2).sum(1)[:, None]
            - 2 * x_flat @ out.T
            + out.pow(2).sum(1)[None, :]
        )
        d = x_flat.shape[1]
        return -0.5 * squared - 0.5 * d * math.log(2 * math.pi)

    def mean(self, mean):
        """E[x|z]: the decoder's output itself."""
        return mean

    def sample(self, mean, generator=None):
        """mean + N(0, I) noise (which swamps images in [0, 1])."""
        noise = torch.randn(
            mean.shape,
            generator=generator,
            device=mean.device,
            dtype=mean.dtype,
        )
        return mean + noise


#: The likelihoods by the names the models take.
LIKELIHOODS = {
    "bernoulli": BernoulliLikelihood(),
    "gaussian": GaussianLikelihood(),
}


def require_likelihood(likelihood) -> Likelihood:
    """The :class:`Likelihood` or the one of that name, else an error."""
    return get_likelihood(likelihood)


def get_likelihood(name) -> Likelihood:
    """The :class:`Likelihood` called ``name`` (``"bernoulli"``, ...).

    A :class:`Likelihood` passes through unchanged.
    """
    if isinstance(name, Likelihood):
        return name
    if isinstance(name, str) and name in LIKELIHOODS:
        return LIKELIHOODS[name]
    raise ValueError(
        f"likelihood must be one of {tuple(LIKELIHOODS)}, got {name!r}"
    )
