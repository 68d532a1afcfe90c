"""Input checks shared by the package: every error says what was expected.

The messages follow one pattern, ``"logvar has shape [32, 10] but mu has
[32, 20]"``, so a student who passes the wrong tensor learns which one and
why, instead of meeting a broadcast error deep inside torch.

These are the guards around the maths: :func:`vae_course.show_source` leaves
statements that call them (and ``if ...: raise`` blocks) out of what a chapter
shows.
"""

from __future__ import annotations

import math

import torch

SUPPORTED_FLOATS = (torch.float32, torch.float64)


def shape_str(t: torch.Tensor) -> str:
    """``[32, 10]`` for a tensor of that shape (``[]`` for a scalar)."""
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def as_tensor(name: str, value) -> torch.Tensor:
    """Accept a tensor or a Python number; anything else is a TypeError."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(float(value))
    raise TypeError(
        f"{name} must be a torch.Tensor or a number, "
        f"got {type(value).__name__}"
    )


def require_tensor(name: str, value) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(value).__name__}"
        )
    return value


def require_callable(name: str, value, expected: str) -> None:
    """A function (or any callable), described by ``expected``."""
    if not callable(value):
        raise TypeError(
            f"{name} must be {expected}, got {type(value).__name__}"
        )


def require_float(name: str, t: torch.Tensor) -> torch.Tensor:
    """float32 or float64 tensors only.

    Integer pixels or labels passed by mistake fail loudly, and so do
    float16/bfloat16, whose 3 significant digits cannot hold a log-likelihood
    of hundreds of nats.
    """
    require_tensor(name, t)
    if not t.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor (float32 or float64), "
            f"got dtype {t.dtype}; convert it with {name}.float()"
        )
    if t.dtype not in SUPPORTED_FLOATS:
        raise TypeError(
            f"{name} has dtype {t.dtype}, which the package does not "
            f"support (too few digits for sums over 784 pixels); use "
            f"float32 or float64: {name}.float()"
        )
    return t


def require_batch(name: str, t: torch.Tensor) -> torch.Tensor:
    """A float tensor ``[batch, ...]`` with at least one example."""
    require_float(name, t)
    if t.dim() < 1 or t.shape[0] == 0:
        raise ValueError(
            f"{name} must be a non-empty batch [batch, ...] with batch >= 1, "
            f"got shape {shape_str(t)}"
        )
    return t


def require_finite(name: str, t: torch.Tensor) -> None:
    """No NaN or infinite value (one device synchronisation)."""
    if t.numel() and not bool(torch.isfinite(t).all()):
        bad = int((~torch.isfinite(t)).sum())
        raise ValueError(
            f"{name} holds {bad} NaN or infinite values; expected finite "
            "numbers (pixels in [0, 1])"
        )


def require_same_shape(
    name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor
) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} has shape {shape_str(b)} but {name_a} has "
            f"{shape_str(a)}; they must match"
        )


def require_same_trailing_shape(
    name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor
) -> None:
    """Two batches ``[B, ...]`` and ``[G, ...]`` of the same item shape."""
    require_float(name_b, b)
    require_same_device(**{name_a: a, name_b: b})
    if a.dim() < 2 or a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"{name_a} has shape {shape_str(a)} but {name_b} has "
            f"{shape_str(b)}; they must match after the first axis"
        )


def require_same_device(**tensors: torch.Tensor) -> None:
    devices = {
        name: t.device
        for name, t in tensors.items()
        if isinstance(t, torch.Tensor)
    }
    if len(set(devices.values())) > 1:
        listing = ", ".join(
            f"{name} on {dev}" for name, dev in devices.items()
        )
        raise ValueError(
            f"tensors must be on one device, got {listing}; "
            f"move them with .to(device)"
        )


def require_min_dim(name: str, t: torch.Tensor, n: int, what: str) -> None:
    if t.dim() < n:
        raise ValueError(
            f"{name} must have at least {n} dimensions ({what}), "
            f"got shape {shape_str(t)}"
        )


def require_in_unit_interval(
    name: str, t: torch.Tensor, *, open_interval: bool
) -> None:
    """[0, 1] (closed) for Bernoulli targets, (0, 1) (open) for uniforms."""
    if t.numel() == 0:
        return
    # one pass and one device synchronisation: NaN propagates to min and max
    lo, hi = torch.stack(torch.aminmax(t)).tolist()
    if math.isnan(lo) or math.isnan(hi):
        raise ValueError(f"{name} contains NaN")
    if open_interval and (lo <= 0.0 or hi >= 1.0):
        raise ValueError(
            f"{name} must lie strictly inside (0, 1), "
            f"got values in [{lo:.4g}, {hi:.4g}]"
        )
    if not open_interval and (lo < 0.0 or hi > 1.0):
        raise ValueError(
            f"{name} must lie in [0, 1], got values in [{lo:.4g}, {hi:.4g}]"
        )


def require_positive(name: str, t: torch.Tensor) -> None:
    if t.numel() and not (t > 0).all():
        raise ValueError(
            f"{name} must be positive, got a minimum of {t.min().item():.4g}"
        )


def require_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def require_nonnegative_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return value


def require_nonnegative_number(name: str, value) -> float:
    """A finite Python number >= 0 (beta, free bits): returned as a float."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not value >= 0
        or math.isinf(value)
    ):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def require_positive_number(name: str, value) -> float:
    """A finite Python number > 0 (a learning rate, a threshold)."""
    if require_nonnegative_number(name, value) == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)
