"""The grid posterior and evidence estimators (``vae_course.posterior``).

The linear-Gaussian model has a closed-form evidence, posterior and ELBO gap,
so every number the grid gives can be compared with the exact one.
"""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc


@pytest.fixture(scope="module")
def toy():
    gen = torch.Generator().manual_seed(3)
    model = vc.LinearGaussianModel.random(d=5, k=2, generator=gen)
    return model, model.sample(6, generator=gen)


def test_grid_evidence_matches_the_exact_log_marginal(toy):
    model, x = toy
    grid = vc.grid_posterior(model, x, lim=6.0, n=241)
    exact = model.log_marginal(x)
    assert grid.log_evidence.shape == (6,)
    assert torch.allclose(grid.log_evidence, exact, atol=1e-3), (
        grid.log_evidence,
        exact,
    )


def test_grid_posterior_is_the_exact_posterior(toy):
    model, x = toy
    grid = vc.grid_posterior(model, x, lim=6.0, n=241)
    p = torch.exp(grid.log_posterior)  # [batch, G]
    assert torch.allclose(
        p.sum(1) * grid.cell_area, torch.ones(6, dtype=p.dtype), atol=1e-6
    )
    mean = p @ grid.z * grid.cell_area  # [batch, 2]
    exact_mean, exact_cov = model.posterior(x)
    assert torch.allclose(mean, exact_mean, atol=1e-3)
    centred = grid.z[None] - mean[:, None]  # [batch, G, 2]
    cov = torch.einsum("bg,bgi,bgj->bij", p, centred, centred) * grid.cell_area
    assert torch.allclose(cov, exact_cov.expand_as(cov), atol=1e-3)
    # the grid runs with z_1 fastest: point r * n + c is (axis[c], axis[r])
    n = len(grid.axis)
    assert torch.equal(
        grid.z[1 * n + 2], torch.stack([grid.axis[2], grid.axis[1]])
    )


def test_grid_kl_is_the_elbo_gap(toy):
    model, x = toy
    grid = vc.grid_posterior(model, x, lim=6.0, n=241)
    log_q = vc.encoder_on_grid(model, x, grid.z)
    gap = vc.grid_kl(log_q, grid.log_posterior, grid.cell_area)
    exact_gap = model.kl_to_posterior(x, *model.encode(x))
    assert (exact_gap > 0.01).all()  # a correlated posterior: a real gap
    assert torch.allclose(gap, exact_gap, atol=1e-3), (gap, exact_gap)
    # log p(x) = ELBO + KL(q || p(z|x)): the ELBO computed on the grid too
    q = torch.exp(log_q)
    elbo = (q * (grid.log_joint - log_q)).sum(1) * grid.cell_area
    assert torch.allclose(grid.log_evidence - elbo, gap, atol=1e-6)


def test_grid_kl_is_zero_only_for_equal_densities():
    axis = torch.linspace(-6, 6, 201, dtype=torch.float64)
    area = float(axis[1] - axis[0])
    log_n01 = -0.5 * axis**2 - 0.5 * math.log(2 * math.pi)
    log_shifted = -0.5 * (axis - 1) ** 2 - 0.5 * math.log(2 * math.pi)
    same = vc.grid_kl(log_n01[None], log_n01[None], area)
    assert abs(same.item()) < 1e-12
    # KL(N(0, 1) || N(1, 1)) = 1/2 in closed form
    assert (
        abs(vc.grid_kl(log_n01[None], log_shifted[None], area).item() - 0.5)
        < 1e-6
    )
    with pytest.raises(ValueError, match="must match"):
        vc.grid_kl(log_n01[None], log_n01[None, :10], area)


def test_grid_posterior_of_a_vae_agrees_with_importance_sampling():
    torch.manual_seed(0)
    model = vc.MLPVAE(latent_dim=2, hidden_dim=16).eval()
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    grid = vc.grid_posterior(model, x, lim=5.0, n=101)
    with torch.no_grad():
        iwae = vc.iwae_bound(
            model, x, k=4000, generator=torch.Generator().manual_seed(2)
        )
    assert torch.allclose(grid.log_evidence, iwae, atol=0.05), (
        grid.log_evidence,
        iwae,
    )


def test_grid_posterior_needs_two_latent_dimensions():
    with pytest.raises(ValueError, match="latent_dim 2"):
        vc.grid_posterior(
            vc.MLPVAE(latent_dim=3, hidden_dim=8), torch.rand(1, 1, 28, 28)
        )


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_pairwise_log_likelihood_is_every_pair(likelihood):
    g = torch.Generator().manual_seed(9)
    x = torch.rand(3, 1, 28, 28, generator=g, dtype=torch.float64)
    decoded = torch.randn(5, 1, 28, 28, generator=g, dtype=torch.float64)
    like = vc.get_likelihood(likelihood)
    pairs = like.pairwise_log_prob(x, decoded)
    assert pairs.shape == (3, 5)
    for b in range(3):
        one = like.log_prob(x[b].expand_as(decoded), decoded)
        assert torch.allclose(pairs[b], one, rtol=1e-10)
