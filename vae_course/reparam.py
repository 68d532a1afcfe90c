"""The reparameterization trick (chapter 3).

Sampling ``z ~ N(mu, sigma^2)`` directly is a dead end for gradients: the
sample is a number with no memory of mu and sigma. Writing it instead as

    z = mu + sigma * eps,   sigma = exp(logvar / 2),   eps ~ N(0, I)

moves the randomness into ``eps``, which does not depend on the encoder's
parameters phi, so ``z`` is a differentiable function of ``mu`` and
``logvar``.
"""

from __future__ import annotations

import torch

from ._checks import (
    require_float,
    require_positive_int,
    require_same_device,
    require_same_shape,
)


def reparameterize(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    n_samples: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""z = mu + exp(logvar / 2) * eps with eps ~ N(0, I) (chapter 3).

    Args:
        mu: posterior means, ``[batch, k]`` (any shape works; logvar must
            match it).
        logvar: log-variances ``log sigma^2``, same shape as ``mu``. The
            *standard deviation* ``exp(logvar / 2)`` scales ``eps``, not the
            variance.
        n_samples: ``None`` for one sample of shape ``[batch, k]``; ``M`` for
            a leading sample dimension, ``[M, batch, k]``.
        generator: optional ``torch.Generator`` (on the tensors' device) for
            reproducible noise.

    Returns:
        ``z``, differentiable with respect to ``mu`` and ``logvar``.
    """
    require_float("mu", mu)
    require_float("logvar", logvar)
    require_same_shape("mu", mu, "logvar", logvar)
    require_same_device(mu=mu, logvar=logvar)
    if n_samples is not None:
        require_positive_int("n_samples", n_samples)
    shape = mu.shape if n_samples is None else (n_samples, *mu.shape)
    eps = mu.new_empty(shape).normal_(generator=generator)  # N(0, I)
    return mu + torch.exp(0.5 * logvar) * eps
