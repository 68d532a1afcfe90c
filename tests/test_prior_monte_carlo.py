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
