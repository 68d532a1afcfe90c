"""Probabilistic PCA in closed form and the linear VAE (``vae_course.ppca``)."""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc


@pytest.fixture(scope="module")
def ppca_data():
    gen = torch.Generator().manual_seed(0)
    d, k, n = 6, 2, 200_000
    W = torch.randn(d, k, generator=gen, dtype=torch.float64) * 2
    b = torch.randn(d, generator=gen, dtype=torch.float64)
    z = torch.randn(n, k, generator=gen, dtype=torch.float64)
    x = z @ W.T + b + 0.5 * torch.randn(n, d, generator=gen, dtype=W.dtype)
    return x, W, b


def test_closed_form_recovers_the_generating_model(ppca_data):
    x, W, b = ppca_data
    fit = vc.ppca_fit(x, 2)
    assert fit.noise_var == pytest.approx(0.25, rel=0.02)
    torch.testing.assert_close(fit.W @ fit.W.T, W @ W.T, atol=0.1, rtol=0.02)
    torch.testing.assert_close(fit.mean, b, atol=0.02, rtol=0)


def test_log_likelihood_is_the_multivariate_normal(ppca_data):
    x, W, b = ppca_data
    C = W @ W.T + 0.3 * torch.eye(6, dtype=W.dtype)
    normal = torch.distributions.MultivariateNormal(b, covariance_matrix=C)
    torch.testing.assert_close(
        vc.ppca_log_likelihood(x[:50], W, b, 0.3), normal.log_prob(x[:50])
    )


def test_the_closed_form_is_the_maximum(ppca_data):
    x = ppca_data[0][:5000]
    fit = vc.ppca_fit(x, 2)
    best = vc.ppca_log_likelihood(x, fit.W, fit.mean, fit.noise_var).mean()
    gen = torch.Generator().manual_seed(1)
    for _ in range(3):
        W = fit.W + 0.05 * torch.randn(6, 2, generator=gen, dtype=x.dtype)
        other = vc.ppca_log_likelihood(x, W, fit.mean, fit.noise_var).mean()
        assert other < best
    for noise in (0.9 * fit.noise_var, 1.1 * fit.noise_var):
        other = vc.ppca_log_likelihood(x, fit.W, fit.mean, noise).mean()
        assert other < best


def test_directions_below_the_noise_are_switched_off():
    gen = torch.Generator().manual_seed(2)
    scales = torch.tensor([3.0, 2.0, 0.8, 0.5], dtype=torch.float64)
    x = torch.randn(100_000, 4, generator=gen, dtype=torch.float64) * scales
    fit = vc.ppca_fit(x, 3, noise_var=1.0)
    norms = fit.W.norm(dim=0)
    torch.testing.assert_close(
        norms[:2], (scales[:2] ** 2 - 1).sqrt(), atol=0.03, rtol=0
    )
    assert norms[2] == 0.0  # eigenvalue 0.64 < 1


def test_subspace_cosines():
    e = torch.eye(4, dtype=torch.float64)
    same = vc.subspace_cosines(
        e[:, :2],
        e[:, :2] @ torch.tensor([[1.0, 2], [3, 4]], dtype=torch.float64),
    )
    torch.testing.assert_close(same, torch.ones(2, dtype=torch.float64))
    apart = vc.subspace_cosines(e[:, :2], e[:, 2:])
    torch.testing.assert_close(apart, torch.zeros(2, dtype=torch.float64))
    tilted = torch.stack(
        [
            torch.tensor([1.0, 0, 0, 0]),
            torch.tensor([0, math.cos(0.3), math.sin(0.3), 0]),
        ],
        1,
    ).double()
    cos = vc.subspace_cosines(e[:, :2], tilted)
    torch.testing.assert_close(
        cos, torch.tensor([1.0, math.cos(0.3)], dtype=torch.float64)
    )


def test_linear_vae_shapes():
    model = vc.LinearVAE(10, 3)
    mu, logvar = model.encoder(torch.randn(5, 10))
    assert mu.shape == logvar.shape == (5, 3)
    assert torch.equal(logvar[0], logvar[4])  # one variance for all images
    assert model.decoder(torch.randn(2, 5, 3)).shape == (2, 5, 10)
    assert isinstance(model, vc.VAE)
