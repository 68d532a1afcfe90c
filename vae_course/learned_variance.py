r"""Why samples blur: a Gaussian decoder with a learned variance (chapter 6).

A Gaussian decoder p(x|z) = N(x; m(z), diag(sigma^2)) scores an image of d
pixels with

    log p(x|z) = -1/2 sum_j [log(2 pi sigma_j^2) + (x_j - m_j)^2 / sigma_j^2],

in nats. Chapter 4 fixed sigma^2 = 1 (the squared error); learning sigma^2
instead changes what the likelihood rewards. For a fixed mean the best
single sigma^2 is the mean squared error, and then the log-likelihood is
-d/2 (log(2 pi sigma^2) + 1): hundreds of nats above sigma^2 = 1 for MNIST.
A per-pixel sigma_j^2 rewards pixels that never vary (the black border)
without bound, which is why learned variances need a floor.
"""

from __future__ import annotations

import math

import torch

from ._checks import require_float, require_same_shape


def require_logvar_like(x: torch.Tensor, logvar) -> torch.Tensor:
    """``logvar`` as a tensor of x's dtype and device (a number is fine)."""
    require_float("x", x)
    return torch.as_tensor(logvar, dtype=x.dtype, device=x.device)


def gaussian_log_likelihood_var(
    x: torch.Tensor, mean: torch.Tensor, logvar: torch.Tensor
) -> torch.Tensor:
    r"""log N(x; mean, diag(exp(logvar))), summed per image, ``[batch]`` nats.

    ``x`` and ``mean`` are ``[batch, ...]``; ``logvar`` log sigma^2
    broadcasts against them: a number (one sigma for every pixel), one per
    pixel ``[...]``, or one per pixel and image ``[batch, ...]``.
    """
    require_same_shape("x", x, "mean", mean)
    logvar = require_logvar_like(x, logvar)
    terms = math.log(2 * math.pi) + logvar + (x - mean).pow(2) / logvar.exp()
    return -0.5 * terms.expand_as(x).flatten(1).sum(dim=1)


def best_shared_variance(x: torch.Tensor, mean: torch.Tensor) -> float:
    r"""The maximum-likelihood single sigma^2 for all pixels and images.

    ``sigma^2 = mean over images and pixels of (x - mean)^2``: setting the
    derivative of the summed log-likelihood in sigma^2 to zero.
    """
    require_float("x", x)
    require_same_shape("x", x, "mean", mean)
    return (x - mean).pow(2).mean().item()


def best_pixel_variance(
    x: torch.Tensor, mean: torch.Tensor, floor: float = 1e-3
) -> torch.Tensor:
    r"""Per-pixel maximum-likelihood sigma_j^2, at least ``floor``.

    ``sigma_j^2 = max(floor, mean over images of (x_j - mean_j)^2)``,
    shape ``x.shape[1:]``. Without the floor a pixel that the decoder
    always gets right would have sigma_j^2 = 0 and log-likelihood +inf.
    """
    require_float("x", x)
    require_same_shape("x", x, "mean", mean)
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor}")
    return (x - mean).pow(2).mean(dim=0).clamp(min=floor)
