"""vc.elbo, vc.elbo_from_outputs, vc.iwae_bound and the linear-Gaussian model
where log p(x) is exact."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import PriorVAE, gen
from torch.distributions import MultivariateNormal, kl_divergence

import vae_course as vc

LOG_2PI = math.log(2 * math.pi)
D, K = 5, 2


# ------------------------------------------------------------------ reference
def make_model(
    d: int = D, k: int = K, seed: int = 0, correlation: float = 0.5
):
    """W's columns are correlated, so the posterior is too and the mean-field q
    has a visible gap."""
    g = gen(seed)
    W = torch.randn(d, k, generator=g, dtype=torch.float64)
    b = torch.randn(d, generator=g, dtype=torch.float64)
    if k > 1:
        W[:, 1:] = (
            correlation * W[:, :1] + math.sqrt(1 - correlation**2) * W[:, 1:]
        )
    return vc.LinearGaussianModel(W, b), W, b


def sample_x(W, b, n, seed=1):
    """x = W z + b + noise with z ~ N(0, I_k), noise ~ N(0, I_d)."""
    g = gen(seed)
    z = torch.randn(n, W.shape[1], generator=g, dtype=torch.float64)
    return (
        z @ W.T
        + b
        + torch.randn(n, W.shape[0], generator=g, dtype=torch.float64)
    )


def exact_elbo(W, b, x, mu, logvar):
    """Closed-form E_q[log p(x|z)] - KL(q || p(z)) for q = N(mu, diag
    exp(logvar))."""
    var = torch.exp(logvar)
    residual = x - mu @ W.T - b
    expected_sq = (residual**2).sum(-1) + (var * (W**2).sum(0)).sum(-1)
    recon = -0.5 * expected_sq - 0.5 * W.shape[0] * LOG_2PI
    kl = 0.5 * (var + mu**2 - 1 - logvar).sum(-1)
    return recon - kl


# ------------------------------------------------------ linear-Gaussian model
def test_log_marginal_matches_multivariate_normal():
    model, W, b = make_model()
    x = sample_x(W, b, 6)
    cov = W @ W.T + torch.eye(D, dtype=torch.float64)
    torch.testing.assert_close(
        model.log_marginal(x), MultivariateNormal(b, cov).log_prob(x)
    )


def test_posterior_is_the_exact_gaussian_posterior():
    model, W, b = make_model()
    x = sample_x(W, b, 4)
    mean, cov = model.posterior(x)
    precision = torch.eye(K, dtype=torch.float64) + W.T @ W
    torch.testing.assert_close(cov, torch.linalg.inv(precision))
    torch.testing.assert_close(mean, (x - b) @ W @ torch.linalg.inv(precision))


def test_encode_gives_the_mean_field_posterior():
    model, W, b = make_model()
    x = sample_x(W, b, 4)
    mu, logvar = model.encode(x)
    mean, _ = model.posterior(x)
    precision = torch.eye(K, dtype=torch.float64) + W.T @ W
    torch.testing.assert_close(mu, mean)
    torch.testing.assert_close(
        logvar, (-torch.log(torch.diagonal(precision))).expand_as(mu)
    )


def test_decode_and_log_joint():
    model, W, b = make_model()
    z = torch.randn(3, K, generator=gen(2), dtype=torch.float64)
    torch.testing.assert_close(model.decode(z), z @ W.T + b)
    x = sample_x(W, b, 3)
    expected = MultivariateNormal(
        z @ W.T + b, torch.eye(D, dtype=torch.float64)
    ).log_prob(x) + MultivariateNormal(
        torch.zeros(K, dtype=torch.float64), torch.eye(K, dtype=torch.float64)
    ).log_prob(z)
    torch.testing.assert_close(model.log_joint(x, z), expected)


def test_kl_to_posterior_matches_torch():
    model, W, b = make_model()
    x = sample_x(W, b, 4)
    mu = torch.randn(4, K, generator=gen(3), dtype=torch.float64)
    logvar = torch.randn(4, K, generator=gen(4), dtype=torch.float64)
    mean, cov = model.posterior(x)
    q = MultivariateNormal(mu, torch.diag_embed(torch.exp(logvar)))
    p = MultivariateNormal(mean, cov.expand(4, K, K))
    torch.testing.assert_close(
        model.kl_to_posterior(x, mu, logvar), kl_divergence(q, p)
    )


@pytest.mark.parametrize("which_q", ["encoder", "arbitrary"])
def test_log_evidence_is_elbo_plus_kl_to_posterior(which_q):
    """log p(x) = ELBO(q) + KL(q || p(z|x)) for every q, not only the best
    one."""
    model, W, b = make_model()
    x = sample_x(W, b, 5)
    if which_q == "encoder":
        mu, logvar = model.encode(x)
    else:
        mu = torch.randn(5, K, generator=gen(5), dtype=torch.float64)
        logvar = torch.randn(5, K, generator=gen(6), dtype=torch.float64)
    lhs = model.log_marginal(x)
    rhs = exact_elbo(W, b, x, mu, logvar) + model.kl_to_posterior(
        x, mu, logvar
    )
    torch.testing.assert_close(lhs, rhs)
    assert (model.kl_to_posterior(x, mu, logvar) > 0).all()


def test_random_constructor():
    model = vc.LinearGaussianModel.random(6, 3, generator=gen(7))
    assert model.likelihood.name == "gaussian" and model.latent_dim == 3
    x = model.sample(2, generator=gen(8))
    assert x.shape == (2, 6)
    mu, logvar = model.encode(x)
    assert mu.shape == (2, 3) and logvar.shape == (2, 3)
    torch.testing.assert_close(
        model.log_marginal(x),
        MultivariateNormal(
            model.b, model.W @ model.W.T + torch.eye(6, dtype=model.W.dtype)
        ).log_prob(x),
    )


def test_grid_log_marginal_matches_the_closed_form():
    model, W, b = make_model(d=4, k=2, seed=9)
    x = sample_x(W, b, 3, seed=10)
    grid, n_evaluations = vc.grid_log_marginal(model, x, n_points=201)
    assert n_evaluations == 201**2
    torch.testing.assert_close(grid, model.log_marginal(x), rtol=0, atol=1e-3)


# ----------------------------------------------------------------------- ELBO
def test_elbo_parts_on_the_linear_gaussian_model():
    model, W, b = make_model()
    x = sample_x(W, b, 4)
    out = vc.elbo(model, x, beta=0.5, n_samples=3, generator=gen(11))
    assert isinstance(out, vc.ELBO)
    for part in out:
        assert part.shape == (4,)
    mu, logvar = model.encode(x)
    torch.testing.assert_close(out.kl, vc.gaussian_kl(mu, logvar))
    torch.testing.assert_close(out.elbo, out.reconstruction - 0.5 * out.kl)


def test_elbo_monte_carlo_matches_the_closed_form():
    """vc.elbo with M = 20,000 samples is within 5 standard errors of the exact
    ELBO."""
    model, W, b = make_model()
    x = sample_x(W, b, 3)
    m = 20_000
    out = vc.elbo(model, x, n_samples=m, generator=gen(12))
    mu, logvar = model.encode(x)
    exact = exact_elbo(W, b, x, mu, logvar)
    # standard error of the reconstruction term, from an independent set of
    # samples
    z = mu + torch.exp(logvar / 2) * torch.randn(
        m, *mu.shape, generator=gen(13), dtype=torch.float64
    )
    log_px_z = -0.5 * ((x - z @ W.T - b) ** 2).sum(-1) - 0.5 * D * LOG_2PI
    stderr = log_px_z.std(0) / math.sqrt(m)
    assert ((out.elbo - exact).abs() < 5 * stderr).all(), (
        out.elbo,
        exact,
        stderr,
    )


def test_elbo_from_outputs_is_consistent():
    x = torch.rand(3, 1, 28, 28, generator=gen(14))
    logits = torch.randn(3, 1, 28, 28, generator=gen(15))
    mu, logvar = (
        torch.randn(3, 4, generator=gen(16)),
        torch.randn(3, 4, generator=gen(17)),
    )
    out = vc.elbo_from_outputs(x, logits, mu, logvar, "bernoulli", beta=2.0)
    torch.testing.assert_close(
        out.reconstruction, vc.bernoulli_log_likelihood(x, logits)
    )
    torch.testing.assert_close(out.kl, vc.gaussian_kl(mu, logvar))
    torch.testing.assert_close(out.elbo, out.reconstruction - 2.0 * out.kl)
    g = vc.elbo_from_outputs(x, logits, mu, logvar, "gaussian")
    torch.testing.assert_close(
        g.reconstruction, vc.gaussian_log_likelihood(x, logits)
    )


def test_elbo_of_a_constant_model_is_d_log_half():
    x = torch.rand(4, 1, 28, 28, generator=gen(18))
    out = vc.elbo(PriorVAE(latent_dim=3), x, n_samples=2, generator=gen(19))
    torch.testing.assert_close(out.kl, torch.zeros(4))
    torch.testing.assert_close(
        out.reconstruction, torch.full((4,), -784 * math.log(2.0))
    )
    torch.testing.assert_close(
        out.elbo, torch.full((4,), -784 * math.log(2.0))
    )


def test_elbo_on_mlpvae_shapes_and_gradients():
    model = vc.MLPVAE(latent_dim=4, hidden_dim=32)
    x = torch.rand(5, 1, 28, 28, generator=gen(20))
    out = vc.elbo(model, x, n_samples=3, generator=gen(21))
    assert all(part.shape == (5,) for part in out)
    (-out.elbo.mean()).backward()
    assert all(
        p.grad is not None and torch.isfinite(p.grad).all()
        for p in model.parameters()
    )


def test_elbo_generator_reproducible():
    model = vc.MLPVAE(latent_dim=4, hidden_dim=32)
    x = torch.rand(5, 1, 28, 28, generator=gen(22))
    a = vc.elbo(model, x, n_samples=2, generator=gen(23)).elbo
    b = vc.elbo(model, x, n_samples=2, generator=gen(23)).elbo
    torch.testing.assert_close(a, b, rtol=0, atol=0)


# ----------------------------------------------------------------------- IWAE
def test_iwae_is_exact_when_q_is_the_posterior():
    """With one latent dimension the mean-field q is the exact posterior: every
    weight equals p(x)."""
    model, W, b = make_model(d=4, k=1, seed=24)
    x = sample_x(W, b, 5, seed=25)
    for k in (1, 7):
        torch.testing.assert_close(
            vc.iwae_bound(model, x, k, generator=gen(26)),
            model.log_marginal(x),
        )


def test_iwae_at_k1_equals_the_elbo_in_expectation():
    model, W, b = make_model()
    x = sample_x(W, b, 1)
    reps = 20_000
    values = vc.iwae_bound(
        model, x.expand(reps, D).contiguous(), 1, generator=gen(27)
    )
    mu, logvar = model.encode(x)
    exact = exact_elbo(W, b, x, mu, logvar)[0]
    stderr = values.std() / math.sqrt(reps)
    assert abs(values.mean() - exact) < 5 * stderr, (
        values.mean().item(),
        exact.item(),
        stderr.item(),
    )


def test_iwae_rises_with_k_and_converges_to_log_evidence():
    model, W, b = make_model()
    x = sample_x(W, b, 3)
    log_px = model.log_marginal(x).mean()
    mu, logvar = model.encode(x)
    elbo = exact_elbo(W, b, x, mu, logvar).mean()
    gap_elbo = log_px - elbo
    assert (
        gap_elbo > 0.2
    )  # the mean-field q is not the posterior, so there is a gap to close
    reps = 400
    xs = x.repeat(reps, 1)
    mean, stderr = {}, {}
    for k in (1, 10, 100, 1000):
        values = (
            vc.iwae_bound(model, xs, k, generator=gen(28))
            .view(reps, 3)
            .mean(1)
        )
        mean[k], stderr[k] = values.mean(), values.std() / math.sqrt(reps)
    # L_1 is the ELBO in expectation; L_k rises with k and stays below log p(x)
    # up to Monte Carlo error
    assert abs(mean[1] - elbo) < 5 * stderr[1]
    assert elbo < mean[10] < mean[100] < mean[1000] < log_px + 5 * stderr[1000]
    # and by k = 1000 it has closed more than 90% of the ELBO's gap
    assert log_px - mean[1000] < 0.1 * gap_elbo, (
        log_px - mean[1000],
        gap_elbo,
    )


def test_iwae_chunks_give_the_same_bound():
    """Chunking changes how the noise is drawn, not the distribution of the
    bound."""
    model, W, b = make_model()
    x = sample_x(W, b, 2)
    reps = 300
    xs = x.repeat(reps, 1)
    full = vc.iwae_bound(model, xs, 64, generator=gen(29)).view(reps, 2)
    chunked = vc.iwae_bound(
        model, xs, 64, generator=gen(30), chunk_size=16
    ).view(reps, 2)
    stderr = torch.sqrt((full.var(0) + chunked.var(0)) / reps)
    assert ((full.mean(0) - chunked.mean(0)).abs() < 5 * stderr).all()
    # the same generator seed with the same chunking is reproducible
    again = vc.iwae_bound(
        model, xs, 64, generator=gen(30), chunk_size=16
    ).view(reps, 2)
    torch.testing.assert_close(again, chunked, rtol=0, atol=0)


def test_iwae_on_mlpvae_shape_and_bound():
    model = vc.MLPVAE(latent_dim=4, hidden_dim=32)
    x = torch.rand(6, 1, 28, 28, generator=gen(31))
    bound = vc.iwae_bound(model, x, 5, generator=gen(32))
    assert bound.shape == (6,)
    assert torch.isfinite(bound).all()
