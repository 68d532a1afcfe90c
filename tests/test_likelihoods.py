"""vc.bernoulli_log_likelihood, vc.gaussian_log_likelihood, vc.get_likelihood,
vc.log_normal_diag."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import assert_message, gen
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch.distributions import Bernoulli, MultivariateNormal, Normal

import vae_course as vc

LOG_2PI = math.log(2 * math.pi)


def torch_bernoulli(x, logits):
    # validate_args=False: torch then evaluates the same formula for continuous
    # targets in [0, 1]
    return (
        Bernoulli(logits=logits, validate_args=False)
        .log_prob(x)
        .flatten(1)
        .sum(1)
    )


def torch_gaussian(x, mean):
    return Normal(mean, torch.ones_like(mean)).log_prob(x).flatten(1).sum(1)


# ------------------------------------------------------------------ Bernoulli
def test_bernoulli_matches_torch_on_images():
    x = torch.rand(4, 1, 28, 28, generator=gen(1))
    logits = 3 * torch.randn(4, 1, 28, 28, generator=gen(2))
    ll = vc.bernoulli_log_likelihood(x, logits)
    assert ll.shape == (4,)
    torch.testing.assert_close(ll, torch_bernoulli(x, logits))
    torch.testing.assert_close(
        ll,
        -F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        .flatten(1)
        .sum(1),
    )


def test_bernoulli_binary_targets_and_flat_shape():
    x = (torch.rand(3, 784, generator=gen(3)) > 0.5).float()
    logits = torch.randn(3, 784, generator=gen(4))
    torch.testing.assert_close(
        vc.bernoulli_log_likelihood(x, logits), torch_bernoulli(x, logits)
    )


def test_bernoulli_zero_logits_is_d_log_half():
    """Any x in [0, 1] with logits 0 gives exactly -784 log 2 nats per
    image."""
    x = torch.rand(5, 1, 28, 28, generator=gen(5))
    expected = torch.full((5,), -784 * math.log(2.0))
    torch.testing.assert_close(
        vc.bernoulli_log_likelihood(x, torch.zeros_like(x)), expected
    )


@given(
    x=arrays(np.float64, (2, 6), elements=st.floats(0, 1)),
    logits=arrays(np.float64, (2, 6), elements=st.floats(-100, 100)),
)
def test_bernoulli_property_against_torch(x, logits):
    x, logits = torch.from_numpy(x), torch.from_numpy(logits)
    torch.testing.assert_close(
        vc.bernoulli_log_likelihood(x, logits), torch_bernoulli(x, logits)
    )


def test_bernoulli_stable_at_extreme_logits():
    """log sigmoid(-100) is -100 (a naive log(sigmoid(l)) gives -inf in
    float32)."""
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    logits = torch.tensor(
        [[100.0, -100.0], [100.0, -100.0]], requires_grad=True
    )
    ll = vc.bernoulli_log_likelihood(x, logits)
    torch.testing.assert_close(ll.detach(), torch.tensor([0.0, -200.0]))
    ll.sum().backward()
    # d/dl = x - sigmoid(l)
    torch.testing.assert_close(logits.grad, x - torch.sigmoid(logits.detach()))


@given(
    x=arrays(np.float32, (3, 4), elements=st.floats(0, 1, width=32)),
    logits=arrays(np.float32, (3, 4), elements=st.floats(-100, 100, width=32)),
)
def test_bernoulli_finite_values_and_gradients(x, logits):
    x = torch.from_numpy(x)
    logits = torch.from_numpy(logits).requires_grad_()
    ll = vc.bernoulli_log_likelihood(x, logits)
    assert torch.isfinite(ll).all()
    ll.sum().backward()
    assert torch.isfinite(logits.grad).all()


# ------------------------------------------------------------------- Gaussian
def test_gaussian_matches_torch_normal():
    x = torch.rand(4, 1, 28, 28, generator=gen(8))
    mean = torch.randn(4, 1, 28, 28, generator=gen(9))
    ll = vc.gaussian_log_likelihood(x, mean)
    assert ll.shape == (4,)
    torch.testing.assert_close(ll, torch_gaussian(x, mean))


def test_gaussian_keeps_the_log_2pi_constant_and_the_half():
    """x == mean gives -(d/2) log 2 pi; a unit error in one pixel costs exactly
    1/2 nat more."""
    x = torch.zeros(2, 1, 28, 28)
    ll = vc.gaussian_log_likelihood(x, x.clone())
    torch.testing.assert_close(ll, torch.full((2,), -392 * LOG_2PI))
    mean = x.clone()
    mean[0, 0, 0, 0] = 1.0
    ll = vc.gaussian_log_likelihood(x, mean)
    torch.testing.assert_close(ll[0] - ll[1], torch.tensor(-0.5))


def test_gaussian_flat_shape_and_multivariate_normal():
    x = torch.randn(3, 7, dtype=torch.float64, generator=gen(10))
    mean = torch.randn(3, 7, dtype=torch.float64, generator=gen(11))
    reference = MultivariateNormal(
        mean, torch.eye(7, dtype=torch.float64)
    ).log_prob(x)
    torch.testing.assert_close(vc.gaussian_log_likelihood(x, mean), reference)


@given(
    x=arrays(np.float64, (2, 5), elements=st.floats(-10, 10)),
    mean=arrays(np.float64, (2, 5), elements=st.floats(-10, 10)),
)
def test_gaussian_property_against_torch(x, mean):
    x, mean = torch.from_numpy(x), torch.from_numpy(mean)
    torch.testing.assert_close(
        vc.gaussian_log_likelihood(x, mean), torch_gaussian(x, mean)
    )


@pytest.mark.parametrize(
    "log_likelihood, targets, seeds",
    [
        (vc.bernoulli_log_likelihood, torch.rand, (6, 7)),
        (vc.gaussian_log_likelihood, torch.randn, (12, 13)),
    ],
    ids=["bernoulli", "gaussian"],
)
def test_gradcheck_float64(log_likelihood, targets, seeds):
    """The gradient in the decoder's output (logits or mean) against finite
    differences."""
    x = targets(3, 5, dtype=torch.float64, generator=gen(seeds[0]))
    output = torch.randn(
        3, 5, dtype=torch.float64, generator=gen(seeds[1])
    ).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda out: log_likelihood(x, out), (output,)
    )


# ------------------------------------------------------------------- objects
def test_the_likelihood_objects_are_the_functions():
    x = torch.rand(2, 1, 28, 28, generator=gen(14))
    out = torch.randn(2, 1, 28, 28, generator=gen(15))
    torch.testing.assert_close(
        vc.get_likelihood("bernoulli").log_prob(x, out),
        vc.bernoulli_log_likelihood(x, out),
    )
    torch.testing.assert_close(
        vc.get_likelihood("gaussian").log_prob(x, out),
        vc.gaussian_log_likelihood(x, out),
    )


def test_unknown_likelihood_name():
    with pytest.raises(ValueError) as excinfo:
        vc.get_likelihood("poisson")
    assert_message(excinfo, "poisson", "bernoulli", "gaussian")


def test_log_normal_diag_matches_torch():
    z = torch.randn(5, 3, dtype=torch.float64, generator=gen(16))
    mu = torch.randn(5, 3, dtype=torch.float64, generator=gen(17))
    logvar = torch.randn(5, 3, dtype=torch.float64, generator=gen(18))
    reference = Normal(mu, torch.exp(logvar / 2)).log_prob(z).sum(-1)
    torch.testing.assert_close(vc.log_normal_diag(z, mu, logvar), reference)


def test_log_normal_diag_broadcasts_over_sample_dimension():
    z = torch.randn(4, 5, 3, dtype=torch.float64, generator=gen(19))
    mu = torch.randn(5, 3, dtype=torch.float64, generator=gen(20))
    logvar = torch.randn(5, 3, dtype=torch.float64, generator=gen(21))
    out = vc.log_normal_diag(z, mu, logvar)
    assert out.shape == (4, 5)
    torch.testing.assert_close(
        out, Normal(mu, torch.exp(logvar / 2)).log_prob(z).sum(-1)
    )
