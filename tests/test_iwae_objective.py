"""The IWAE objective and the gradient signal-to-noise ratio
(``vae_course.iwae``, chapter 6)."""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc


@pytest.fixture(scope="module")
def toy():
    # two similar columns of W: a correlated posterior, a gap of ~0.5 nats
    gen = torch.Generator().manual_seed(10)
    w = torch.randn(5, 1, generator=gen, dtype=torch.float64)
    noise = 0.3 * torch.randn(5, 1, generator=gen, dtype=torch.float64)
    b = torch.randn(5, generator=gen, dtype=torch.float64)
    model = vc.LinearGaussianModel(torch.cat([w, w + noise], dim=1), b)
    return model, model.sample(400, generator=gen)


def test_k_one_is_the_elbo(toy):
    model, x = toy
    loss, parts = vc.IWAEObjective(1)(
        model, x, torch.Generator().manual_seed(0)
    )
    torch.testing.assert_close(parts["iwae"], parts["elbo"])
    assert loss.item() == pytest.approx(-parts["iwae"].mean().item())
    # the ELBO in expectation: log p(x) - KL(q || p(z|x))
    mu, logvar = model.encode(x)
    exact = model.log_marginal(x) - model.kl_to_posterior(x, mu, logvar)
    error = parts["elbo"] - exact
    assert abs(error.mean()) < 4 * error.std() / math.sqrt(len(x))


def test_the_bound_is_logsumexp_of_the_log_weights(toy):
    model, x = toy
    log_w = vc.log_weights(model, x[:3], 7, torch.Generator().manual_seed(1))
    loss, parts = vc.IWAEObjective(7)(
        model, x[:3], torch.Generator().manual_seed(1)
    )
    torch.testing.assert_close(
        parts["iwae"], torch.log(torch.exp(log_w).mean(0))
    )
    torch.testing.assert_close(parts["elbo"], log_w.mean(0))


def test_the_bound_rises_towards_log_p_x(toy):
    model, x = toy
    gen = torch.Generator().manual_seed(2)
    log_px = model.log_marginal(x)
    below = [
        (log_px - vc.IWAEObjective(k)(model, x, gen)[1]["iwae"]).mean()
        for k in (1, 10, 200)
    ]
    assert below[0] > below[1] > below[2] > -0.01, below
    assert below[2] < 0.25 * below[0]


def test_encoder_snr_falls_and_decoder_snr_rises_with_k():
    torch.manual_seed(0)
    model = vc.MLPVAE(latent_dim=4, hidden_dim=32)
    x = (
        torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(3))
        > 0.7
    ).float()
    snr = {}
    for k in (1, 100):
        gen = torch.Generator().manual_seed(5)
        snr[k] = (
            vc.gradient_snr(
                model,
                x,
                vc.IWAEObjective(k),
                [model.encoder.mu.weight],
                repeats=40,
                generator=gen,
            ),
            vc.gradient_snr(
                model,
                x,
                vc.IWAEObjective(k),
                model.decoder.parameters(),
                repeats=40,
                generator=gen,
            ),
        )
    assert snr[100][0] < snr[1][0], snr
    assert snr[100][1] > snr[1][1], snr


def test_snr_is_mean_over_spread():
    p = torch.nn.Parameter(torch.zeros(2))
    draws = iter([1.0, 3.0, 5.0])  # mean 3, std 2 -> SNR 1.5

    def objective(model, x, generator):
        return (p * next(draws)).sum(), {}

    assert vc.gradient_snr(
        None, None, objective, [p], repeats=3
    ) == pytest.approx(1.5)
