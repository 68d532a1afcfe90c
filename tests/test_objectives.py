"""The objectives vc.train minimises: the score-function surrogate with a
leave-one-out baseline (ch. 2), the ELBO (ch. 4), the autoencoder's
reconstruction (ch. 1), and vc.evaluate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import nn

import vae_course as vc
from vae_course.gradient_estimators import encoder_gradient_noise

f64 = torch.float64


class TinyVAE(nn.Module):
    """d = 3 data, k = 2 latents, Gaussian decoder; an encoder module."""

    likelihood = vc.get_likelihood("gaussian")
    latent_dim = 2

    def __init__(self):
        super().__init__()
        body = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.encoder = vc.GaussianEncoder(body, 4, 2)
        self.decoder = nn.Linear(2, 3)


def score_function_loss(model, x, n_samples=2, generator=None):
    loss, parts = vc.ScoreFunctionObjective(n_samples)(model, x, generator)
    return loss, parts["elbo"]


def tiny(seed=0):
    torch.manual_seed(seed)
    return TinyVAE().double()


def data(n, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(2, 3, generator=g, dtype=f64).repeat(n, 1)


def grads(loss, params):
    return torch.cat(
        [g.reshape(-1) for g in torch.autograd.grad(loss, params)]
    )


def test_encoder_gradient_is_unbiased():
    # the batch mean over 100,000 copies averages 100,000 M = 2 estimates
    model, x = tiny(), data(50_000)
    phi = list(model.encoder.parameters())
    assert len(phi) == 6
    loss, _ = score_function_loss(model, x, 2, torch.Generator())
    g_score = grads(loss, phi)
    exact = -vc.elbo(model, x, n_samples=2, generator=torch.Generator()).elbo
    g_reparam = grads(exact.mean(), phi)
    assert (g_score - g_reparam).norm() < 0.05 * g_reparam.norm()


def test_decoder_gradient_and_elbo_value_match_the_elbo_on_the_same_z():
    model, x = tiny(), data(8)
    theta = list(model.decoder.parameters())
    loss, elbo_x = score_function_loss(
        model, x, 3, torch.Generator().manual_seed(4)
    )
    parts = vc.elbo(
        model, x, n_samples=3, generator=torch.Generator().manual_seed(4)
    )
    torch.testing.assert_close(elbo_x, parts.elbo.detach())
    torch.testing.assert_close(
        grads(loss, theta), grads(-parts.elbo.mean(), theta)
    )


def test_score_gradient_is_noisier_but_aims_at_the_same_gradient():
    model, x = tiny(), data(4)
    phi = list(model.encoder.parameters())
    # ||E g||^2 from 100,000 estimates averaged in one batch of copies of x
    exact = -vc.elbo(
        model, data(50_000), n_samples=2, generator=torch.Generator()
    ).elbo
    signal = grads(exact.mean(), phi).pow(2).sum().item()
    score = encoder_gradient_noise(model, x, "score", 300, seed=5)
    reparam = encoder_gradient_noise(model, x, "reparam", 300, seed=6)
    assert score["noise"] > 3 * reparam["noise"]
    assert score["signal"] == pytest.approx(signal, rel=0.1)
    assert reparam["signal"] == pytest.approx(signal, rel=0.1)
    assert reparam["snr"] == pytest.approx(
        reparam["signal"] / reparam["noise"]
    )


def test_training_raises_the_elbo():
    g = torch.Generator().manual_seed(7)
    images = (torch.rand(256, 1, 28, 28, generator=g) > 0.7).float()
    split = SimpleNamespace(train_images=images, test_images=images[:64])
    torch.manual_seed(8)
    model = vc.MLPVAE(latent_dim=2, hidden_dim=32)
    history = vc.train(
        model,
        split,
        epochs=3,
        lr=1e-2,
        loss=vc.ScoreFunctionObjective(2),
        progress=False,
    )
    assert history.epoch == [1, 2, 3]
    assert history.test_elbo[-1] > history.test_elbo[0] + 5


def test_bad_input():
    model, x = tiny(), data(2)
    with pytest.raises(ValueError, match="n_samples must be >= 2"):
        vc.ScoreFunctionObjective(1)
    with pytest.raises(ValueError, match="estimator"):
        encoder_gradient_noise(model, x, "pathwise", 5)
