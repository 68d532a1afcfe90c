"""A Gaussian decoder with a learned variance (``vae_course.learned_variance``)."""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc


@pytest.fixture()
def images():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(6, 1, 4, 4, generator=gen, dtype=torch.float64)
    mean = x + 0.2 * torch.randn(6, 1, 4, 4, generator=gen, dtype=x.dtype)
    return x, mean


def test_unit_variance_is_chapter_fours_gaussian_likelihood(images):
    x, mean = images
    torch.testing.assert_close(
        vc.gaussian_log_likelihood_var(x, mean, 0.0),
        vc.gaussian_log_likelihood(x, mean),
    )


def test_matches_torch_normal_for_every_shape_of_logvar(images):
    x, mean = images
    gen = torch.Generator().manual_seed(1)
    for shape in ((), (1, 4, 4), (6, 1, 4, 4)):
        logvar = torch.randn(shape, generator=gen, dtype=x.dtype)
        normal = torch.distributions.Normal(mean, (0.5 * logvar).exp())
        torch.testing.assert_close(
            vc.gaussian_log_likelihood_var(x, mean, logvar),
            normal.log_prob(x).flatten(1).sum(1),
        )


def test_the_best_shared_variance_maximises_the_likelihood(images):
    x, mean = images
    best = vc.best_shared_variance(x, mean)
    total = vc.gaussian_log_likelihood_var(x, mean, math.log(best)).sum()
    for factor in (0.9, 0.99, 1.01, 1.1):
        other = vc.gaussian_log_likelihood_var(
            x, mean, math.log(best * factor)
        ).sum()
        assert other < total, factor
    # and its value is -n d / 2 (log(2 pi sigma^2) + 1)
    expected = -0.5 * x.numel() * (math.log(2 * math.pi * best) + 1)
    assert total.item() == pytest.approx(expected)


def test_pixel_variances_are_per_pixel_mean_squared_errors_with_a_floor(
    images,
):
    x, mean = images
    mean = mean.clone()
    mean[:, 0, 0, 0] = x[:, 0, 0, 0]  # a pixel the decoder always gets
    var = vc.best_pixel_variance(x, mean, floor=1e-3)
    assert var.shape == (1, 4, 4)
    assert var[0, 0, 0] == 1e-3
    torch.testing.assert_close(
        var[0, 1, 2], (x - mean)[:, 0, 1, 2].pow(2).mean()
    )
    with pytest.raises(ValueError, match="floor must be positive"):
        vc.best_pixel_variance(x, mean, floor=0.0)
