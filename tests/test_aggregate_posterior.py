"""The aggregate posterior, ELBO surgery and ex-post density estimation
(``vae_course.aggregate_posterior``, chapter 6)."""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc


def test_one_code_is_its_own_aggregate_posterior():
    gen = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(1, 3, generator=gen), torch.randn(1, 3)
    z = torch.randn(7, 3, generator=gen)
    torch.testing.assert_close(
        vc.log_aggregate_posterior(z, mu, logvar),
        vc.log_normal_diag(z, mu, logvar),
    )


def test_aggregate_posterior_is_the_average_density():
    # a 1-D mixture of three Gaussians against scipy-free direct sums
    mu = torch.tensor([[-1.0], [0.5], [2.0]], dtype=torch.float64)
    logvar = torch.log(
        torch.tensor([[0.3], [1.0], [0.1]], dtype=torch.float64)
    )
    z = torch.linspace(-3, 3, 11, dtype=torch.float64)[:, None]
    each = torch.exp(-((z.T - mu) ** 2) / (2 * logvar.exp())) / torch.sqrt(
        2 * math.pi * logvar.exp()
    )  # [3, 11]
    torch.testing.assert_close(
        vc.log_aggregate_posterior(z, mu, logvar), torch.log(each.mean(0))
    )


def test_marginal_kl_matches_numerical_integration():
    mu = torch.tensor([[-1.5], [1.0]], dtype=torch.float64)
    logvar = torch.log(torch.tensor([[0.2], [0.5]], dtype=torch.float64))
    z = torch.linspace(-8, 8, 20001, dtype=torch.float64)[:, None]
    log_q = vc.log_aggregate_posterior(z, mu, logvar)
    log_p = -0.5 * (z[:, 0] ** 2) - 0.5 * math.log(2 * math.pi)
    exact = (log_q.exp() * (log_q - log_p)).sum() * (z[1, 0] - z[0, 0])
    surgery = vc.elbo_surgery(
        mu.repeat(2000, 1),  # 4,000 images, two of them distinct
        logvar.repeat(2000, 1),
        generator=torch.Generator().manual_seed(1),
    )
    assert abs(surgery.marginal_kl - exact.item()) < 0.05, (surgery, exact)
    average = vc.gaussian_kl(mu, logvar).mean().item()
    assert surgery.average_kl == pytest.approx(average)
    assert surgery.mutual_information == pytest.approx(
        average - surgery.marginal_kl
    )


def test_separated_codes_carry_log_n_nats():
    # N codes far apart with tiny variances: the code names the image
    n = 8
    mu = torch.arange(n, dtype=torch.float64)[:, None].repeat(1, 2) * 3.0
    logvar = torch.full_like(mu, math.log(1e-4))
    surgery = vc.elbo_surgery(
        mu, logvar, generator=torch.Generator().manual_seed(2)
    )
    assert surgery.mutual_information == pytest.approx(math.log(n), abs=1e-3)


def test_codes_equal_to_the_prior_have_no_information_and_no_holes():
    mu = torch.zeros(50, 2)
    logvar = torch.zeros(50, 2)
    surgery = vc.elbo_surgery(mu, logvar)
    assert abs(surgery.marginal_kl) < 1e-5
    assert abs(surgery.mutual_information) < 1e-5
    assert vc.prior_hole_mass(mu, logvar) == 0.0


def test_codes_off_to_one_side_leave_the_prior_a_hole():
    mu = torch.full((50, 2), 3.0)
    logvar = torch.full((50, 2), math.log(0.1))
    gen = torch.Generator().manual_seed(3)
    assert vc.prior_hole_mass(mu, logvar, generator=gen) > 0.95


def test_sampling_the_aggregate_posterior_picks_codes_uniformly():
    mu = torch.tensor([[-5.0], [5.0]])
    logvar = torch.full_like(mu, math.log(0.01))
    z = vc.sample_aggregate_posterior(
        mu, logvar, 4000, generator=torch.Generator().manual_seed(4)
    )
    share = (z > 0).float().mean().item()
    assert abs(share - 0.5) < 5 * math.sqrt(0.25 / 4000), share
    assert (z.abs() - 5).abs().max() < 0.6


def test_a_mixture_fitted_to_codes_samples_where_they_are():
    gen = torch.Generator().manual_seed(5)
    codes = torch.randn(2000, 2, generator=gen) * 0.5 + torch.tensor([2.0, -1])
    mixture = vc.fit_code_density(codes, n_components=3)
    z = vc.sample_code_density(mixture, 3000, seed=1)
    assert z.shape == (3000, 2) and z.dtype == torch.float32
    torch.testing.assert_close(
        z.mean(0), torch.tensor([2.0, -1.0]), atol=0.05, rtol=0
    )
    torch.testing.assert_close(
        z.std(0), torch.tensor([0.5, 0.5]), atol=0.05, rtol=0
    )
    assert torch.equal(z, vc.sample_code_density(mixture, 3000, seed=1))


def test_bad_codes_are_refused_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"\[N, k\]"):
        vc.elbo_surgery(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match=r"z must be \[M, 2\]"):
        vc.log_aggregate_posterior(
            torch.zeros(4, 3), torch.zeros(5, 2), torch.zeros(5, 2)
        )
