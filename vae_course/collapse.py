r"""Two remedies for posterior collapse (chapter 4), used by the trainer.

When the KL term wins early, the encoder learns to ignore x (q(z|x) = p(z))
and the decoder learns to ignore z. Two small changes to the objective
counter it:

* KL warm-up (Bowman et al. 2016): the KL weight rises linearly from 0 to
  beta over the first T steps, ``beta_t = beta * min(1, t / T)``.
* Free bits (Kingma et al. 2016): each latent dimension's batch-mean KL is
  floored at lambda nats, ``KL_term = sum_j max(lambda, mean_batch KL_j)``,
  so the gradient stops pushing a dimension's KL below lambda.
"""

from __future__ import annotations

import torch

from ._checks import (
    require_batch,
    require_nonnegative_int,
    require_nonnegative_number,
    require_positive_int,
)
from .gaussian import gaussian_kl


def kl_warmup(step: int, warmup_steps: int, beta: float = 1.0) -> float:
    r"""The KL weight at step t = 1, 2, ...: ``beta_t = beta * min(1, t / T)``.

    ``T = warmup_steps``; ``T = 0`` means no warm-up (``beta_t = beta``).
    """
    require_positive_int("step", step)
    require_nonnegative_int("warmup_steps", warmup_steps)
    beta = require_nonnegative_number("beta", beta)
    if warmup_steps == 0:
        return beta
    return beta * min(1.0, step / warmup_steps)


def free_bits_kl(
    mu: torch.Tensor, logvar: torch.Tensor, free_bits: float
) -> torch.Tensor:
    r"""The KL term with free bits, ``sum_j max(lambda, mean_batch KL_j)``.

    ``KL_j`` is dimension j's closed-form KL, ``[batch, k]`` from ``mu`` and
    ``logvar``; ``lambda = free_bits``. A scalar, the batch-mean KL when
    ``free_bits = 0``. In nats.
    """
    require_batch("mu", mu)
    free_bits = require_nonnegative_number("free_bits", free_bits)
    kl_per_dim = gaussian_kl(mu, logvar, per_dim=True).mean(dim=0)  # [k]
    return kl_per_dim.clamp(min=free_bits).sum()
