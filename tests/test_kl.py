"""vc.gaussian_kl: KL(N(mu, diag exp(logvar)) || N(0, I)) in closed form
(chapter 1)."""

from __future__ import annotations

import math

import numpy as np
import torch
from conftest import gen
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch.distributions import Independent, Normal, kl_divergence

import vae_course as vc


def torch_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    q = Independent(Normal(mu, torch.exp(logvar / 2)), 1)
    p = Independent(Normal(torch.zeros_like(mu), torch.ones_like(mu)), 1)
    return kl_divergence(q, p)


def test_shape_and_units():
    mu, logvar = torch.randn(6, 4), torch.randn(6, 4)
    kl = vc.gaussian_kl(mu, logvar)
    assert kl.shape == (6,)
    per_dim = vc.gaussian_kl(mu, logvar, per_dim=True)
    assert per_dim.shape == (6, 4)
    torch.testing.assert_close(per_dim.sum(-1), kl)


def test_known_values():
    """Hand-computed: a wrong factor 1/2 or a variance/std mix-up changes every
    one of these."""
    mu = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [2.0, -1.0]])
    logvar = torch.tensor(
        [
            [0.0, 0.0],
            [0.0, 0.0],
            [math.log(4.0), 0.0],
            [math.log(0.5), math.log(2.0)],
        ]
    )
    expected = torch.tensor(
        [
            0.0,
            0.5,  # 1/2 mu^2
            0.5 * (4.0 - 1.0 - math.log(4.0)),
            0.5 * (0.5 - 1 - math.log(0.5) + 4.0)
            + 0.5 * (2.0 - 1 - math.log(2.0) + 1.0),
        ]
    )
    torch.testing.assert_close(vc.gaussian_kl(mu, logvar), expected)


@given(
    arrays(np.float64, (3, 4), elements=st.floats(-10, 10)),
    arrays(np.float64, (3, 4), elements=st.floats(-30, 30)),
)
def test_matches_torch_kl_divergence(mu, logvar):
    mu, logvar = torch.from_numpy(mu), torch.from_numpy(logvar)
    torch.testing.assert_close(
        vc.gaussian_kl(mu, logvar), torch_kl(mu, logvar), rtol=1e-9, atol=1e-9
    )


def test_matches_monte_carlo():
    """E_q[log q(z) - log p(z)] with 400,000 samples agrees within 5 standard
    errors."""
    mu = torch.tensor([[0.3, -1.2, 2.0]], dtype=torch.float64)
    logvar = torch.tensor([[0.5, -1.0, 0.0]], dtype=torch.float64)
    std = torch.exp(logvar / 2)
    z = mu + std * torch.randn(
        400_000, 3, generator=gen(1), dtype=torch.float64
    )
    log_ratio = Normal(mu, std).log_prob(z).sum(-1) - Normal(
        0.0, 1.0
    ).log_prob(z).sum(-1)
    mc, stderr = log_ratio.mean(), log_ratio.std() / math.sqrt(len(log_ratio))
    exact = vc.gaussian_kl(mu, logvar)[0]
    assert abs(mc - exact) < 5 * stderr, (
        mc.item(),
        exact.item(),
        stderr.item(),
    )


@given(
    arrays(np.float64, (2, 3), elements=st.floats(-5, 5)),
    arrays(np.float64, (2, 3), elements=st.floats(-8, 8)),
)
def test_non_negative_and_zero_only_at_the_prior(mu, logvar):
    kl = vc.gaussian_kl(torch.from_numpy(mu), torch.from_numpy(logvar))
    assert (kl >= -1e-12).all()
    assert (
        vc.gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 3)).abs().max() == 0
    )


def test_gradcheck_float64():
    mu = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    logvar = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(vc.gaussian_kl, (mu, logvar))
    assert torch.autograd.gradcheck(
        lambda m, lv: vc.gaussian_kl(m, lv, per_dim=True), (mu, logvar)
    )


def test_analytic_gradients():
    """dKL/dmu = mu and dKL/dlogvar = (exp(logvar) - 1) / 2."""
    mu = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    logvar = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    vc.gaussian_kl(mu, logvar).sum().backward()
    torch.testing.assert_close(mu.grad, mu.detach())
    torch.testing.assert_close(
        logvar.grad, (torch.exp(logvar.detach()) - 1) / 2
    )


@given(
    mu=arrays(np.float32, (2, 5), elements=st.floats(-100, 100, width=32)),
    logvar=arrays(np.float32, (2, 5), elements=st.floats(-30, 30, width=32)),
)
def test_finite_values_and_gradients_over_the_whole_logvar_range(mu, logvar):
    mu = torch.from_numpy(mu).requires_grad_()
    logvar = torch.from_numpy(logvar).requires_grad_()
    kl = vc.gaussian_kl(mu, logvar)
    assert torch.isfinite(kl).all()
    kl.sum().backward()
    assert torch.isfinite(mu.grad).all() and torch.isfinite(logvar.grad).all()
    # float32 result still agrees with the float64 reference
    torch.testing.assert_close(
        kl.double(),
        torch_kl(mu.double(), logvar.double()),
        rtol=1e-5,
        atol=1e-4,
    )
