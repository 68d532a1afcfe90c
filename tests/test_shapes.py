"""The synthetic shapes of ``vae_course.shapes`` (chapter 7)."""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc
from vae_course.shapes import FACTOR_VALUES


def _one(shape=0, scale=3, rotation=0, x=4, y=4):
    return vc.render_shapes(torch.tensor([[shape, scale, rotation, x, y]]))[
        0, 0
    ]


def test_make_shapes_is_deterministic_and_in_the_unit_interval():
    a, b = vc.make_shapes(50, seed=3), vc.make_shapes(50, seed=3)
    assert a.images.shape == (50, 1, 28, 28) and a.factors.shape == (50, 5)
    assert torch.equal(a.images, b.images)
    assert a.images.min() >= 0 and a.images.max() <= 1
    assert not torch.equal(a.images, vc.make_shapes(50, seed=4).images)
    assert torch.equal(a.values(1), FACTOR_VALUES["scale"][a.factors[:, 1]])


@pytest.mark.parametrize(
    "shape, area", [(0, 4.0), (1, math.pi * 0.55), (2, 3 * math.sqrt(3) / 4)]
)
def test_areas_are_those_of_the_shapes(shape, area):
    for scale in range(4):
        s = FACTOR_VALUES["scale"][scale].item()
        expected = area * (14 * s) ** 2  # pixels: the image is 2 units wide
        got = _one(shape, scale, rotation=2).sum().item()
        assert abs(got - expected) < 0.04 * expected, (shape, s, got)


def test_position_moves_the_centre_of_mass():
    cols = torch.arange(28.0) + 0.5
    for xi in range(8):
        image = _one(shape=2, x=xi, y=1)
        cx = (image.sum(0) * cols).sum() / image.sum()
        cy = (image.sum(1) * cols).sum() / image.sum()
        want_x = (FACTOR_VALUES["x"][xi].item() + 1) * 14
        want_y = (FACTOR_VALUES["y"][1].item() + 1) * 14
        assert abs(cx - want_x) < 0.3 and abs(cy - want_y) < 1.6


def test_rotation_turns_the_ellipse_major_axis():
    rows, cols = torch.meshgrid(
        torch.arange(28.0), torch.arange(28.0), indexing="ij"
    )
    for r in range(1, 6):
        image = _one(shape=1, rotation=r)
        w = image / image.sum()
        mx, my = (w * cols).sum(), (w * rows).sum()
        cov = torch.tensor(
            [
                [
                    (w * (cols - mx) ** 2).sum(),
                    (w * (cols - mx) * (rows - my)).sum(),
                ],
                [
                    (w * (cols - mx) * (rows - my)).sum(),
                    (w * (rows - my) ** 2).sum(),
                ],
            ]
        )
        vec = torch.linalg.eigh(cov).eigenvectors[:, 1]
        angle = math.degrees(math.atan2(vec[1], vec[0])) % 180
        assert abs(angle - 15 * r) < 3, (r, angle)


def test_factor_sweep_changes_one_factor():
    sweep = vc.factor_sweep(torch.tensor([1, 2, 3, 4, 5]), 3)
    assert sweep.shape == (8, 5)
    assert sweep[:, 3].tolist() == list(range(8))
    assert (sweep[:, [0, 1, 2, 4]] == torch.tensor([1, 2, 3, 5])).all()


def test_bad_factors_are_refused():
    with pytest.raises(ValueError, match="one column per factor"):
        vc.render_shapes(torch.zeros(3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="'rotation' takes indices 0 to 5"):
        vc.render_shapes(torch.tensor([[0, 0, 6, 0, 0]]))
