"""Where tensors live and how runs are seeded (every chapter's second cell)."""

from __future__ import annotations

import random

import numpy as np
import torch


def device() -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    Every function of the package works on whichever device its tensors are on;
    this only picks where a chapter puts its model and data.
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and torch (all devices), once per chapter."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def make_generator(
    seed: int | None, device: torch.device | str = "cpu"
) -> torch.Generator | None:
    """A ``torch.Generator`` on ``device`` seeded with ``seed``.

    ``seed=None`` returns ``None``: use the global random number generator.
    """
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return g
