"""Inverse-CDF sampling (chapter 3): each closed-form inverse CDF against its
distribution, and its pathwise gradient against the implicit-function gradient
and closed-form expectations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import gen
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from torch.distributions import Cauchy, Kumaraswamy, Laplace, Normal

import vae_course as vc

EULER_GAMMA = 0.5772156649015329


def kumaraswamy_cdf(x, a, b):
    return 1 - (1 - x**a) ** b


# name -> (icdf, params, scipy cdf, differentiable torch cdf F(x, *params))
CASES = {
    "normal": (
        vc.normal_icdf,
        (1.5, 2.0),
        stats.norm(1.5, 2.0).cdf,
        lambda x, m, s: Normal(m, s).cdf(x),
    ),
    "exponential": (
        vc.exponential_icdf,
        (2.5,),
        stats.expon(scale=1 / 2.5).cdf,
        lambda x, r: 1 - torch.exp(-r * x),
    ),
    "logistic": (
        vc.logistic_icdf,
        (0.5, 1.5),
        stats.logistic(0.5, 1.5).cdf,
        lambda x, m, s: torch.sigmoid((x - m) / s),
    ),
    "gumbel": (
        vc.gumbel_icdf,
        (-1.0, 2.0),
        stats.gumbel_r(-1.0, 2.0).cdf,
        lambda x, m, s: torch.exp(-torch.exp(-(x - m) / s)),
    ),
    "laplace": (
        vc.laplace_icdf,
        (0.3, 0.7),
        stats.laplace(0.3, 0.7).cdf,
        lambda x, m, s: Laplace(m, s).cdf(x),
    ),
    "cauchy": (
        vc.cauchy_icdf,
        (1.0, 0.5),
        stats.cauchy(1.0, 0.5).cdf,
        lambda x, m, s: Cauchy(m, s).cdf(x),
    ),
    "kumaraswamy": (
        vc.kumaraswamy_icdf,
        (2.0, 5.0),
        lambda x: kumaraswamy_cdf(np.clip(x, 0, 1), 2.0, 5.0),
        lambda x, a, b: kumaraswamy_cdf(x, a, b),
    ),
}
NAMES = list(CASES)


def tensors(params, dtype=torch.float64, shape=()):
    return [torch.full(shape, float(p), dtype=dtype) for p in params]


@pytest.mark.parametrize("name", NAMES)
def test_samples_pass_kolmogorov_smirnov(name):
    """20,000 samples against the scipy CDF: a swapped scale/rate, a sign flip
    or a lost factor fails."""
    icdf, params, cdf, _ = CASES[name]
    x = vc.inverse_cdf_sample(
        icdf, *tensors(params), shape=(20_000,), generator=gen(1)
    )
    assert x.shape == (20_000,)
    result = stats.kstest(x.detach().numpy(), cdf)
    assert result.pvalue > 1e-3, (name, result)


@pytest.mark.parametrize("name", NAMES)
@given(u=st.floats(1e-6, 1 - 1e-6))
def test_cdf_of_icdf_is_identity(name, u):
    icdf, params, _, torch_cdf = CASES[name]
    p = tensors(params)
    x = icdf(torch.tensor(u, dtype=torch.float64), *p)
    assert torch.isfinite(x)
    back = torch_cdf(x, *p)
    assert math.isclose(back.item(), u, rel_tol=1e-9, abs_tol=1e-10), (
        name,
        u,
        back.item(),
    )


@pytest.mark.parametrize("name", NAMES)
def test_icdf_is_increasing_in_u(name):
    icdf, params, _, _ = CASES[name]
    u = torch.linspace(0.001, 0.999, 999, dtype=torch.float64)
    x = icdf(u, *tensors(params))
    assert (x.diff() > 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_float64(name):
    icdf, params, _, _ = CASES[name]
    # u = 0.5 is left out: autograd's subgradient of |u - 1/2| there makes
    # Laplace's du-derivative 0
    u = torch.tensor(
        [0.05, 0.3, 0.45, 0.77, 0.95], dtype=torch.float64, requires_grad=True
    )
    p = [t.requires_grad_() for t in tensors(params, shape=(5,))]
    assert torch.autograd.gradcheck(icdf, (u, *p))


@pytest.mark.parametrize("name", NAMES)
def test_pathwise_gradient_equals_the_implicit_gradient(name):
    """x = F^{-1}(u; theta) satisfies F(x; theta) = u, so dx/dtheta =
    -(dF/dtheta) / (dF/dx)."""
    icdf, params, _, torch_cdf = CASES[name]
    u = torch.tensor([0.02, 0.2, 0.45, 0.8, 0.98], dtype=torch.float64)
    p = [t.requires_grad_() for t in tensors(params, shape=(5,))]
    x = icdf(u, *p)
    pathwise = torch.autograd.grad(x.sum(), p)
    x0 = x.detach().requires_grad_()
    q = [t.detach().requires_grad_() for t in p]
    F = torch_cdf(x0, *q)
    dF = torch.autograd.grad(F.sum(), [x0, *q])
    for got, dF_dtheta in zip(pathwise, dF[1:], strict=True):
        torch.testing.assert_close(got, -dF_dtheta / dF[0])


# name -> (f, closed-form E[f(x)] as a differentiable function of the
# parameters)
EXPECTATIONS = {
    "normal": (lambda x: x**2, lambda m, s: m**2 + s**2),
    "exponential": (lambda x: x, lambda r: 1 / r),
    "logistic": (lambda x: x**2, lambda m, s: m**2 + s**2 * math.pi**2 / 3),
    "gumbel": (lambda x: x, lambda m, s: m + EULER_GAMMA * s),
    "laplace": (lambda x: x**2, lambda m, s: m**2 + 2 * s**2),
    # 1 / (1 + x^2) is pi times the Cauchy(0, 1) density, so E = density of
    # Cauchy(m, s + 1) at 0 times pi
    "cauchy": (
        lambda x: 1 / (1 + x**2),
        lambda m, s: (1 + s) / ((1 + s) ** 2 + m**2),
    ),
    "kumaraswamy": (lambda x: x, lambda a, b: Kumaraswamy(a, b).mean),
}


@pytest.mark.parametrize("name", NAMES)
def test_pathwise_monte_carlo_gradient_matches_the_closed_form(name):
    """The mean of per-sample pathwise gradients d f(x)/d theta is within 5
    standard errors of dE[f]/dtheta."""
    icdf, params, _, _ = CASES[name]
    f, expectation = EXPECTATIONS[name]
    n = 200_000
    p = [
        t.requires_grad_() for t in tensors(params, shape=(n,))
    ]  # one leaf per sample: per-sample gradients
    x = vc.inverse_cdf_sample(icdf, *p, generator=gen(2))
    assert x.shape == (n,)
    f(x).sum().backward()
    theta = [
        torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
        for v in params
    ]
    exact = torch.autograd.grad(expectation(*theta), theta)
    for leaf, target in zip(p, exact, strict=True):
        g = leaf.grad
        stderr = g.std() / math.sqrt(n)
        assert abs(g.mean() - target) <= 5 * stderr + 1e-12, (
            name,
            g.mean().item(),
            target.item(),
            stderr.item(),
        )


def test_sample_shape_broadcasts_with_the_parameters():
    loc = torch.tensor([0.0, 1.0, 2.0])
    scale = torch.tensor([1.0, 2.0, 3.0])
    x = vc.inverse_cdf_sample(
        vc.normal_icdf, loc, scale, shape=(4,), generator=gen(3)
    )
    assert x.shape == (4, 3)
    assert vc.inverse_cdf_sample(
        vc.exponential_icdf, torch.tensor(1.0), shape=(2, 5), generator=gen(4)
    ).shape == (2, 5)


def test_gradients_flow_to_the_parameters():
    loc = torch.tensor(0.5, requires_grad=True)
    scale = torch.tensor(2.0, requires_grad=True)
    x = vc.inverse_cdf_sample(
        vc.laplace_icdf, loc, scale, shape=(10,), generator=gen(5)
    )
    x.sum().backward()
    assert loc.grad is not None and scale.grad is not None
    torch.testing.assert_close(
        loc.grad, torch.tensor(10.0)
    )  # dx/dloc = 1 for every location family
    torch.testing.assert_close(scale.grad, ((x - loc) / scale).sum().detach())


def test_generator_reproducibility():
    a = vc.inverse_cdf_sample(
        vc.gumbel_icdf,
        torch.tensor(0.0),
        torch.tensor(1.0),
        shape=(6,),
        generator=gen(6),
    )
    b = vc.inverse_cdf_sample(
        vc.gumbel_icdf,
        torch.tensor(0.0),
        torch.tensor(1.0),
        shape=(6,),
        generator=gen(6),
    )
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_normal_icdf_defaults_and_ndtri():
    u = torch.tensor([0.025, 0.5, 0.975], dtype=torch.float64)
    torch.testing.assert_close(vc.normal_icdf(u), torch.special.ndtri(u))
    torch.testing.assert_close(
        vc.normal_icdf(torch.tensor(0.975, dtype=torch.float64)),
        torch.tensor(1.959963984540054, dtype=torch.float64),
    )
    torch.testing.assert_close(
        vc.normal_icdf(u, 1.0, 3.0), 1.0 + 3.0 * torch.special.ndtri(u)
    )


def test_kumaraswamy_matches_torch_distribution_density():
    """The derivative of u -> x is 1 / density: compare with
    torch.distributions.Kumaraswamy.log_prob."""
    u = torch.tensor(
        [0.05, 0.3, 0.6, 0.95], dtype=torch.float64, requires_grad=True
    )
    a = torch.tensor(2.0, dtype=torch.float64)
    b = torch.tensor(5.0, dtype=torch.float64)
    x = vc.kumaraswamy_icdf(u, a, b)
    (dx_du,) = torch.autograd.grad(x.sum(), u)
    torch.testing.assert_close(
        -torch.log(dx_du), Kumaraswamy(a, b).log_prob(x.detach())
    )


def test_icdf_values_stay_finite_near_the_ends():
    u = torch.tensor([1e-7, 1 - 1e-7])
    for name, (icdf, params, _, _) in CASES.items():
        x = icdf(u, *tensors(params, dtype=torch.float32))
        assert torch.isfinite(x).all(), name


def test_laplace_icdf_slope_at_the_median():
    """dF^{-1}/du = 1 / f(F^{-1}(u)) = scale / min(u, 1 - u): 2 scale at u =
    1/2, where a sign()-based formula gives 0, and 4 scale at the quartiles."""
    u = torch.tensor(
        [0.5, 0.25, 0.75], dtype=torch.float64, requires_grad=True
    )
    vc.laplace_icdf(u, 1.0, 3.0).sum().backward()
    torch.testing.assert_close(
        u.grad, torch.tensor([6.0, 12.0, 12.0], dtype=torch.float64)
    )
