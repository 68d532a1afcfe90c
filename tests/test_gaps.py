"""Approximation and amortisation gaps on a grid (``vae_course.gaps``).

The linear-Gaussian model has a Gaussian posterior whose best diagonal
Gaussian is known (the exact mean, variances 1 / diag(precision)): its
encoder *is* that q*, so its amortisation gap is 0 and its approximation gap
the closed-form KL.
"""

from __future__ import annotations

import pytest
import torch

import vae_course as vc


@pytest.fixture(scope="module")
def toy():
    gen = torch.Generator().manual_seed(11)
    model = vc.LinearGaussianModel.random(d=4, k=2, generator=gen)
    x = model.sample(5, generator=gen)
    grid = vc.grid_posterior(model, x, lim=6.0, n=181)
    return model, x, grid


def test_grid_gaussian_kl_is_the_closed_form_kl(toy):
    model, x, grid = toy
    mu, logvar = model.encode(x)
    kl = vc.grid_gaussian_kl(
        mu, logvar, grid.z, grid.log_posterior, grid.cell_area
    )
    torch.testing.assert_close(
        kl, model.kl_to_posterior(x, mu, logvar), atol=2e-3, rtol=1e-3
    )


def test_the_exact_mean_field_encoder_has_no_amortisation_gap(toy):
    model, x, grid = toy
    mu, logvar = model.encode(x)
    gaps = vc.inference_gaps(
        mu, logvar, grid.z, grid.log_posterior, grid.cell_area, steps=100
    )
    exact = model.kl_to_posterior(x, mu, logvar)
    assert gaps.amortisation.abs().max() < 0.01, gaps.amortisation
    torch.testing.assert_close(gaps.approximation, exact, atol=5e-3, rtol=0)
    torch.testing.assert_close(
        gaps.total, gaps.approximation + gaps.amortisation
    )


def test_a_wrong_encoder_pays_an_amortisation_gap(toy):
    model, x, grid = toy
    mu, logvar = model.encode(x)
    off_mu, off_logvar = mu + 0.8, logvar - 0.5  # one network's mistake
    gaps = vc.inference_gaps(
        off_mu,
        off_logvar,
        grid.z,
        grid.log_posterior,
        grid.cell_area,
        steps=300,
    )
    best = model.kl_to_posterior(x, mu, logvar)
    # the optimiser finds the mean-field optimum from a wrong start
    torch.testing.assert_close(gaps.approximation, best, atol=0.02, rtol=0)
    torch.testing.assert_close(gaps.mu_best, mu, atol=0.02, rtol=0)
    assert (gaps.amortisation > 0.1).all(), gaps.amortisation
    torch.testing.assert_close(
        gaps.total,
        model.kl_to_posterior(x, off_mu, off_logvar),
        atol=5e-3,
        rtol=1e-3,
    )


def test_no_piece_is_negative_when_the_optimiser_does_worse(toy):
    # one wild Adam step from the mean-field optimum only makes q worse:
    # the encoder's q is kept as q*, so the amortisation gap is 0, not < 0
    model, x, grid = toy
    mu, logvar = model.encode(x)
    gaps = vc.inference_gaps(
        mu,
        logvar,
        grid.z,
        grid.log_posterior,
        grid.cell_area,
        steps=1,
        lr=3.0,
    )
    assert (gaps.amortisation == 0).all(), gaps.amortisation
    torch.testing.assert_close(gaps.mu_best, mu)
    torch.testing.assert_close(gaps.approximation, gaps.total)
