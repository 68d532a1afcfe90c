"""Score-function vs reparameterized gradients of E_{N(mu, sigma^2)}[f(z)]
(chapters 2 and 3).

For f(z) = z^2: E[f] = mu^2 + sigma^2, so the true gradients are 2 mu and 2
sigma, and the per-sample variances have the closed forms in
vc.z_squared_grad_variance. Each is checked twice: the closed form against
exact Gauss-Hermite quadrature, and the estimators' sample variance against the
closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import gen

import vae_course as vc

CASES = [(1.0, 0.5), (-0.7, 1.3), (2.0, 2.0)]


def square(z):
    return z**2


def quadrature_variances(mu: float, sigma: float) -> dict:
    """Exact per-sample variances of the four estimators by 60-point
    Gauss-Hermite quadrature."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(
        60
    )  # weight exp(-e^2/2)
    weights = weights / weights.sum()
    e = nodes
    z = mu + sigma * e
    f = z**2
    estimators = {
        "reparam_mu": 2 * z,
        "reparam_sigma": 2 * z * e,
        "score_mu": f
        * e
        / sigma,  # d/dmu log N = (z - mu) / sigma^2 = e / sigma
        "score_sigma": f
        * (e**2 - 1)
        / sigma,  # d/dsigma log N = ((z - mu)^2 / sigma^2 - 1) / sigma
    }
    out = {}
    for name, g in estimators.items():
        mean = (weights * g).sum()
        out[name] = (weights * (g - mean) ** 2).sum()
        out[name + "_m4"] = (
            weights * (g - mean) ** 4
        ).sum()  # fourth central moment
    return out


@pytest.mark.parametrize("mu,sigma", CASES)
def test_closed_form_variances_match_quadrature(mu, sigma):
    closed = vc.z_squared_grad_variance(mu, sigma)
    exact = quadrature_variances(mu, sigma)
    assert set(closed) >= {
        "reparam_mu",
        "reparam_sigma",
        "score_mu",
        "score_sigma",
    }
    for name, value in exact.items():
        if name.endswith("_m4"):
            continue
        assert math.isclose(float(closed[name]), value, rel_tol=1e-6), (
            name,
            float(closed[name]),
            value,
        )


def test_closed_form_spelled_out():
    v = {
        name: float(value)
        for name, value in vc.z_squared_grad_variance(1.0, 0.5).items()
    }
    assert math.isclose(v["reparam_mu"], 4 * 0.25, rel_tol=1e-6)
    assert math.isclose(v["score_mu"], 1 / 0.25 + 14 + 15 * 0.25, rel_tol=1e-6)
    assert math.isclose(v["reparam_sigma"], 4 + 8 * 0.25, rel_tol=1e-6)
    assert math.isclose(
        v["score_sigma"], 2 / 0.25 + 60 + 74 * 0.25, rel_tol=1e-6
    )


@pytest.mark.parametrize("estimator", ["reparam", "score"])
@pytest.mark.parametrize("mu,sigma", CASES)
def test_estimators_are_unbiased_with_the_closed_form_variance(
    estimator, mu, sigma
):
    n = 1_000_000
    fn = vc.reparam_grad if estimator == "reparam" else vc.score_function_grad
    grad_mu, grad_sigma = fn(square, mu, sigma, n, generator=gen(1))
    assert grad_mu.shape[0] == n and grad_sigma.shape[0] == n
    grad_mu, grad_sigma = (
        grad_mu.double().flatten(),
        grad_sigma.double().flatten(),
    )
    closed = vc.z_squared_grad_variance(mu, sigma)
    exact = quadrature_variances(mu, sigma)
    for grad, true_mean, name in (
        (grad_mu, 2 * mu, f"{estimator}_mu"),
        (grad_sigma, 2 * sigma, f"{estimator}_sigma"),
    ):
        var = float(closed[name])
        # unbiased: the mean is within 5 standard errors of the true gradient
        assert abs(grad.mean().item() - true_mean) < 5 * math.sqrt(var / n)
        # the sample variance is within 5 of its standard errors, sqrt((m4 -
        # var^2) / n), of the closed form
        var_stderr = math.sqrt((exact[name + "_m4"] - var**2) / n)
        assert abs(grad.var().item() - var) < 5 * var_stderr, (
            name,
            grad.var().item(),
            var,
            var_stderr,
        )


def test_reparameterized_gradient_has_lower_variance_for_z_squared():
    for mu, sigma in CASES:
        v = vc.z_squared_grad_variance(mu, sigma)
        assert (
            v["reparam_mu"] < v["score_mu"]
            and v["reparam_sigma"] < v["score_sigma"]
        )


@pytest.mark.parametrize(
    "estimator", [vc.reparam_grad, vc.score_function_grad]
)
def test_tensor_parameters_give_per_element_gradients(estimator):
    mu = torch.tensor([0.5, -1.0, 2.0])
    sigma = torch.tensor([1.0, 0.3, 0.8])
    grad_mu, grad_sigma = estimator(
        square, mu, sigma, 100_000, generator=gen(2)
    )
    assert grad_mu.shape == (100_000, 3) and grad_sigma.shape == (100_000, 3)
    v = vc.z_squared_grad_variance(mu, sigma)
    name = "reparam" if estimator is vc.reparam_grad else "score"
    se_mu = torch.sqrt(torch.as_tensor(v[f"{name}_mu"]) / 100_000)
    se_sigma = torch.sqrt(torch.as_tensor(v[f"{name}_sigma"]) / 100_000)
    assert ((grad_mu.mean(0) - 2 * mu).abs() < 5 * se_mu).all()
    assert ((grad_sigma.mean(0) - 2 * sigma).abs() < 5 * se_sigma).all()


@pytest.mark.parametrize(
    "estimator", [vc.reparam_grad, vc.score_function_grad]
)
def test_other_functions(estimator):
    """f(z) = exp(z): E = exp(mu + sigma^2 / 2), so d/dmu = E and d/dsigma =
    sigma E."""
    mu, sigma, n = 0.3, 0.4, 400_000
    grad_mu, grad_sigma = estimator(torch.exp, mu, sigma, n, generator=gen(3))
    expected = math.exp(mu + sigma**2 / 2)
    for grad, target in ((grad_mu, expected), (grad_sigma, sigma * expected)):
        grad = grad.double().flatten()
        stderr = grad.std().item() / math.sqrt(n)
        assert abs(grad.mean().item() - target) < 5 * stderr


@pytest.mark.parametrize(
    "estimator", [vc.reparam_grad, vc.score_function_grad]
)
def test_generator_reproducibility(estimator):
    a = estimator(square, 1.0, 2.0, 10, generator=gen(4))
    b = estimator(square, 1.0, 2.0, 10, generator=gen(4))
    for x, y in zip(a, b, strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)


def test_both_estimators_see_the_same_kind_of_sample():
    """Same seed, same z: the score-function estimate is f(z) (z - mu) /
    sigma^2 at that z."""
    mu, sigma = 0.5, 1.5
    g_mu, _ = vc.reparam_grad(square, mu, sigma, 5, generator=gen(5))
    z = g_mu / 2  # the reparameterized mu-gradient of z^2 is 2 z
    s_mu, s_sigma = vc.score_function_grad(
        square, mu, sigma, 5, generator=gen(5)
    )
    torch.testing.assert_close(s_mu, z**2 * (z - mu) / sigma**2)
    torch.testing.assert_close(
        s_sigma, z**2 * ((z - mu) ** 2 / sigma**3 - 1 / sigma)
    )
