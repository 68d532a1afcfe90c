r"""A small data set with known factors of variation, drawn by the package.

Chapter 7, disentanglement. Like dSprites (Matthey et al. 2017) but made on
the spot (nothing downloaded): one white shape on black at 28 x 28 pixels,
from five independent factors, each taking a few evenly spaced values:

=============  =====================================  ======
factor         values                                 count
=============  =====================================  ======
``shape``      square, ellipse, triangle              3
``scale``      half-width 0.30 to 0.50 of the image   4
``rotation``   0 to 75 degrees in steps of 15         6
``x``          centre from -0.45 to 0.45              8
``y``          centre from -0.45 to 0.45              8
=============  =====================================  ======

(coordinates: the image spans [-1, 1] on both axes, y pointing down). Every
rotation is distinct for every shape (the square repeats after 90 degrees,
the triangle after 120, the ellipse after 180). A pixel's grey level is the
share of its 2 x 2 sub-pixels inside the shape (anti-aliased edges), in
[0, 1] like MNIST.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ._checks import require_positive_int

#: the five factors of variation, in the order of a factor row
FACTOR_NAMES = ("shape", "scale", "rotation", "x", "y")
#: the values of the factor ``shape``
SHAPE_NAMES = ("square", "ellipse", "triangle")
#: factor name -> its values (radians for rotation; x, y in the [-1, 1] frame)
FACTOR_VALUES = {
    "shape": torch.arange(3.0),
    "scale": torch.linspace(0.30, 0.50, 4),
    "rotation": torch.arange(6.0) * math.pi / 12,  # 0 to 75 degrees
    "x": torch.linspace(-0.45, 0.45, 8),
    "y": torch.linspace(-0.45, 0.45, 8),
}
_SUPERSAMPLE = 2


@dataclass
class Shapes:
    """Images ``[N, 1, 28, 28]`` and the index of each factor's value.

    ``factors[n, j]`` is the value index of factor ``FACTOR_NAMES[j]`` for
    image n (``[N, 5]`` long); ``values(j)`` gives the values themselves.
    """

    images: torch.Tensor
    factors: torch.Tensor
    factor_names: tuple = FACTOR_NAMES

    def values(self, j: int) -> torch.Tensor:
        """The values of factor j, indexed by ``factors[:, j]``."""
        return FACTOR_VALUES[self.factor_names[j]][self.factors[:, j]]

    def __len__(self) -> int:
        return len(self.images)


def inside_unit_shape(
    shape: torch.Tensor, u: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Is the point (u, v), in the shape's own coordinates, inside it?

    ``shape``: 0 square ``max(|u|, |v|) <= 1``; 1 ellipse
    ``u^2 + (v / 0.55)^2 <= 1``;
    2 the equilateral triangle with vertices (0, -1), (+-sqrt(3)/2, 1/2).
    Broadcasting tensors; returns a boolean tensor of their common shape.
    """
    square = torch.maximum(u.abs(), v.abs()) <= 1
    ellipse = u**2 + (v / 0.55) ** 2 <= 1
    # equilateral triangle with vertices (0, -1), (+-sqrt(3)/2, 1/2)
    r3 = math.sqrt(3)
    triangle = (v <= 0.5) & (r3 * u - v <= 1) & (-r3 * u - v <= 1)
    return torch.where(
        shape == 0, square, torch.where(shape == 1, ellipse, triangle)
    )


def _require_factors(factors) -> torch.Tensor:
    """``factors`` as a long tensor ``[N, 5]`` of valid value indices."""
    factors = torch.as_tensor(factors).long()
    if factors.dim() != 2 or factors.shape[1] != len(FACTOR_NAMES):
        raise ValueError(
            f"factors must have shape [N, {len(FACTOR_NAMES)}] (one column "
            f"per factor {FACTOR_NAMES}), got {list(factors.shape)}"
        )
    for j, name in enumerate(FACTOR_NAMES):
        count = len(FACTOR_VALUES[name])
        column = factors[:, j]
        if len(column) and (column.min() < 0 or column.max() >= count):
            raise ValueError(
                f"factor {name!r} takes indices 0 to {count - 1}, got "
                f"{column.min().item()} to {column.max().item()}"
            )
    return factors


def render_shapes(factors: torch.Tensor) -> torch.Tensor:
    r"""Draw the images ``[N, 1, 28, 28]`` of factor indices ``[N, 5]``.

    A point p of the image is inside when R(-rotation) (p - centre) / scale
    lies inside the unit shape.
    """
    factors = _require_factors(factors)
    size = 28 * _SUPERSAMPLE
    axis = (torch.arange(size) + 0.5) / size * 2 - 1  # sub-pixel centres
    py, px = torch.meshgrid(axis, axis, indexing="ij")  # [S, S]
    value = [
        FACTOR_VALUES[n][factors[:, j]] for j, n in enumerate(FACTOR_NAMES)
    ]
    shape, scale, angle, cx, cy = (t[:, None, None] for t in value)
    dx, dy = px - cx, py - cy  # [N, S, S]
    cos, sin = torch.cos(angle), torch.sin(angle)
    u = (cos * dx + sin * dy) / scale
    v = (-sin * dx + cos * dy) / scale
    inside = inside_unit_shape(shape, u, v).float()[:, None]  # [N, 1, S, S]
    return torch.nn.functional.avg_pool2d(inside, _SUPERSAMPLE)


def make_shapes(n: int, seed: int = 0) -> Shapes:
    """``n`` images whose five factors are drawn independently and uniformly.

    Deterministic given ``seed`` (a CPU ``torch.Generator``).
    """
    require_positive_int("n", n)
    generator = torch.Generator().manual_seed(seed)
    counts = [len(FACTOR_VALUES[name]) for name in FACTOR_NAMES]
    factors = torch.stack(
        [torch.randint(c, (n,), generator=generator) for c in counts], dim=1
    )
    return Shapes(render_shapes(factors), factors)


def factor_sweep(base: torch.Tensor, j: int) -> torch.Tensor:
    """Factor indices ``[count_j, 5]``: ``base [5]`` with factor j swept."""
    base = torch.as_tensor(base).long()
    count = len(FACTOR_VALUES[FACTOR_NAMES[j]])
    sweep = base.expand(count, -1).clone()
    sweep[:, j] = torch.arange(count)
    return sweep
