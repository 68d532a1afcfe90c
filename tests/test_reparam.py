"""vc.reparameterize: z = mu + exp(logvar / 2) * eps (chapter 3)."""

from __future__ import annotations

import math

import torch
from conftest import gen
from hypothesis import given
from hypothesis import strategies as st

import vae_course as vc


def test_shape_single_sample():
    mu, logvar = torch.zeros(5, 3), torch.zeros(5, 3)
    z = vc.reparameterize(mu, logvar, generator=gen())
    assert z.shape == (5, 3)
    assert z.dtype == mu.dtype


def test_shape_with_sample_dimension():
    mu, logvar = torch.zeros(5, 3), torch.zeros(5, 3)
    z = vc.reparameterize(mu, logvar, n_samples=7, generator=gen())
    assert z.shape == (7, 5, 3)
    # the M samples are different draws, not copies
    assert not torch.allclose(z[0], z[1])


def test_n_samples_one_keeps_the_sample_dimension():
    z = vc.reparameterize(
        torch.zeros(2, 4), torch.zeros(2, 4), n_samples=1, generator=gen()
    )
    assert z.shape == (1, 2, 4)


def test_sample_mean_and_std_match_mu_and_exp_half_logvar():
    """Uses variance 4 (std 2): a formula with the variance, or exp(logvar), in
    place of the std fails."""
    mu = torch.tensor([[1.5, -2.0, 0.0]])
    logvar = torch.log(torch.tensor([[4.0, 0.25, 1.0]]))
    m = 200_000
    z = vc.reparameterize(mu, logvar, n_samples=m, generator=gen(1))[:, 0, :]
    std = torch.exp(logvar / 2)[0]
    # standard errors: std / sqrt(m) for the mean, about std / sqrt(2m) for the
    # std
    assert torch.all((z.mean(0) - mu[0]).abs() < 5 * std / math.sqrt(m))
    assert torch.all((z.std(0) - std).abs() < 5 * std / math.sqrt(2 * m))


def test_samples_are_gaussian_distributed():
    from scipy import stats

    z = vc.reparameterize(
        torch.tensor([[0.5]]),
        torch.tensor([[math.log(9.0)]]),
        n_samples=20_000,
        generator=gen(2),
    )
    result = stats.kstest(
        z.flatten().numpy(), stats.norm(loc=0.5, scale=3.0).cdf
    )
    assert result.pvalue > 1e-3, result


def test_eps_is_the_standardised_sample():
    """Same generator state: z - mu equals exp(logvar/2) times the same eps for
    any mu, logvar."""
    mu = torch.randn(4, 3, generator=gen(3))
    logvar = torch.randn(4, 3, generator=gen(4))
    z0 = vc.reparameterize(
        torch.zeros_like(mu), torch.zeros_like(logvar), generator=gen(5)
    )
    z = vc.reparameterize(mu, logvar, generator=gen(5))
    torch.testing.assert_close(z, mu + torch.exp(logvar / 2) * z0)


def test_generator_reproducibility():
    mu, logvar = torch.zeros(3, 2), torch.zeros(3, 2)
    a = vc.reparameterize(mu, logvar, n_samples=4, generator=gen(11))
    b = vc.reparameterize(mu, logvar, n_samples=4, generator=gen(11))
    c = vc.reparameterize(mu, logvar, n_samples=4, generator=gen(12))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.allclose(a, c)


def test_without_generator_follows_the_global_seed():
    mu, logvar = torch.zeros(3, 2), torch.zeros(3, 2)
    vc.seed_everything(3)
    a = vc.reparameterize(mu, logvar)
    vc.seed_everything(3)
    b = vc.reparameterize(mu, logvar)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_gradients_flow_to_mu_and_logvar():
    mu = torch.randn(4, 3, requires_grad=True)
    logvar = torch.randn(4, 3, requires_grad=True)
    z = vc.reparameterize(mu, logvar, n_samples=5, generator=gen(6))
    z.sum().backward()
    # dz/dmu = 1 per sample; dz/dlogvar = exp(logvar/2) * eps / 2 = (z - mu) /
    # 2
    torch.testing.assert_close(mu.grad, torch.full_like(mu, 5.0))
    torch.testing.assert_close(logvar.grad, ((z - mu) / 2).sum(0).detach())


def test_gradcheck_float64():
    mu = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    logvar = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)

    # a fresh generator each call: the same eps, a deterministic function
    def fn(mu, logvar):
        return vc.reparameterize(mu, logvar, n_samples=2, generator=gen(7))

    assert torch.autograd.gradcheck(fn, (mu, logvar))


def test_float64_in_float64_out():
    z = vc.reparameterize(
        torch.zeros(2, 2, dtype=torch.float64),
        torch.zeros(2, 2, dtype=torch.float64),
        generator=gen(),
    )
    assert z.dtype == torch.float64


@given(
    mu=st.floats(-50, 50),
    logvar=st.floats(-30, 30),
    n_samples=st.integers(1, 3),
)
def test_finite_values_and_gradients_over_the_whole_logvar_range(
    mu, logvar, n_samples
):
    mu_t = torch.full((2, 3), mu, requires_grad=True)
    logvar_t = torch.full((2, 3), logvar, requires_grad=True)
    z = vc.reparameterize(
        mu_t, logvar_t, n_samples=n_samples, generator=gen(8)
    )
    assert torch.isfinite(z).all()
    z.sum().backward()
    assert (
        torch.isfinite(mu_t.grad).all() and torch.isfinite(logvar_t.grad).all()
    )
