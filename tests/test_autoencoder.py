"""vc.Autoencoder: the MLP VAE's layers with a point-mass encoder (ch. 1)."""

from __future__ import annotations

import pytest
import torch

import vae_course as vc
from vae_course.autoencoder import POINT_MASS_LOGVAR


def images(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g)


def test_same_layers_as_the_vae_without_a_variance_head():
    torch.manual_seed(0)
    ae = vc.Autoencoder(latent_dim=3, hidden_dim=16)
    vae = vc.MLPVAE(latent_dim=3, hidden_dim=16)
    ae_shapes = {n: p.shape for n, p in ae.named_parameters()}
    vae_shapes = {
        n: p.shape
        for n, p in vae.named_parameters()
        if not n.startswith("fc_logvar")
    }
    assert ae_shapes == vae_shapes


def test_the_code_is_a_point():
    ae = vc.Autoencoder(latent_dim=4, hidden_dim=16)
    x = images(8)
    mu, logvar = ae.encode(x)
    assert mu.shape == logvar.shape == (8, 4)
    assert (logvar == POINT_MASS_LOGVAR).all()
    z = vc.reparameterize(mu, logvar, generator=torch.Generator())
    assert (z - mu).abs().max() < 1e-3
    # the code is deterministic: encoding twice gives the same z
    torch.testing.assert_close(ae.encode(x)[0], mu)


def test_beta_zero_training_minimises_the_reconstruction_only():
    torch.manual_seed(1)
    ae = vc.Autoencoder(latent_dim=2, hidden_dim=32)
    x = (images(128) > 0.7).float()
    before = vc.evaluate(ae, x)["reconstruction"]
    history = vc.train(
        ae, x, epochs=4, batch_size=16, beta=0.0, lr=1e-2, progress=False
    )
    # the loss the trainer minimised is -log p(x | z = mu(x)): no KL in it
    for loss, recon in zip(
        history.train_loss, history.train_reconstruction, strict=True
    ):
        assert loss == pytest.approx(-recon, rel=1e-5)
    assert vc.evaluate(ae, x)["reconstruction"] > before + 10


def test_gradient_is_that_of_the_deterministic_reconstruction():
    torch.manual_seed(2)
    ae = vc.Autoencoder(latent_dim=2, hidden_dim=16)
    x = images(16)
    loss = -vc.elbo(ae, x, beta=0.0, generator=torch.Generator()).total
    g_elbo = torch.autograd.grad(loss.mean(), list(ae.parameters()))
    z, _ = ae.encode(x)
    exact = -vc.bernoulli_log_likelihood(x, ae.decode(z)).mean()
    g_exact = torch.autograd.grad(exact, list(ae.parameters()))
    for a, b in zip(g_elbo, g_exact, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-4)
