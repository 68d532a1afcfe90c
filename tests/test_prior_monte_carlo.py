"""vc.prior_log_evidence: log (1/K) sum_j p(x|z_j), z_j ~ p(z) (ch. 1)."""

from __future__ import annotations

import pytest
import torch

import vae_course as vc

f64 = torch.float64


def model_and_data(d, k, seed=1, n=4):
    g = torch.Generator().manual_seed(seed)
    model = vc.LinearGaussianModel.random(d, k, generator=g)
    return model, model.sample(n, generator=g)


def test_constant_likelihood_is_exact_with_full_ess():
    # W = 0: p(x|z) does not depend on z, so every weight is equal
    model = vc.LinearGaussianModel(
        torch.zeros(3, 2, dtype=f64), torch.ones(3, dtype=f64)
    )
    x = torch.randn(5, 3, dtype=f64, generator=torch.Generator())
    est = vc.prior_log_evidence(model, x, 50, torch.Generator())
    torch.testing.assert_close(est.log_evidence, model.log_marginal(x))
    torch.testing.assert_close(est.ess, torch.full((5,), 50.0, dtype=f64))


def test_converges_to_the_exact_evidence_in_one_dimension():
    model, x = model_and_data(5, 1)
    est = vc.prior_log_evidence(
        model, x, 200_000, torch.Generator().manual_seed(2)
    )
    assert est.log_evidence.shape == (4,)
    assert (est.log_evidence - model.log_marginal(x)).abs().max() < 0.01
    assert (est.ess > 0.5 * 200_000).all()


def test_fails_in_ten_dimensions_with_a_tiny_ess():
    model, x = model_and_data(50, 10)
    K = 10_000
    est = vc.prior_log_evidence(model, x, K, torch.Generator().manual_seed(3))
    assert ((est.ess >= 1) & (est.ess <= K)).all()
    assert (est.ess < 0.01 * K).all()
    # log of an unbiased estimate is biased low (Jensen): far below here
    assert (est.log_evidence < model.log_marginal(x) - 2).all()
    assert (est.log_evidence - model.log_marginal(x)).mean() < -10


def test_bad_sample_count():
    model, x = model_and_data(5, 1)
    with pytest.raises(ValueError, match="n_samples"):
        vc.prior_log_evidence(model, x, 0)


def test_prior_sampling_is_unbiased_when_the_posterior_is_wide():
    gen = torch.Generator().manual_seed(5)
    model = vc.LinearGaussianModel(
        0.3 * torch.randn(3, 2, generator=gen, dtype=torch.float64),
        torch.zeros(3, dtype=torch.float64),
    )
    x = model.sample(4, generator=gen)
    naive = vc.prior_log_evidence(model, x, 50_000, generator=gen).log_evidence
    assert torch.allclose(naive, model.log_marginal(x), atol=0.01)


def test_prior_sampling_falls_short_when_the_posterior_is_narrow():
    gen = torch.Generator().manual_seed(6)
    model = vc.LinearGaussianModel(  # posterior std about 0.05 per axis
        3 * torch.randn(40, 2, generator=gen, dtype=torch.float64),
        torch.zeros(40, dtype=torch.float64),
    )
    x = model.sample(20, generator=gen)
    exact = model.log_marginal(x)
    naive = vc.prior_log_evidence(model, x, 100, generator=gen).log_evidence
    iwae = vc.iwae_bound(model, x, k=100, generator=gen)
    # both are lower bounds in expectation; importance sampling is far closer
    assert (exact - naive).mean() > 1.0
    assert (exact - iwae).mean() < 0.1 * (exact - naive).mean()
