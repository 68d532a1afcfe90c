"""vc.Autoencoder: an encoder and a decoder without a variance (ch. 1),
trained by vc.train with the reconstruction objective."""

from __future__ import annotations

import pytest
import torch

import vae_course as vc


def images(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g)


def test_the_vaes_layers_with_one_code_head_and_no_variance():
    ae = vc.Autoencoder(code_dim=3, hidden_dim=16)
    vae = vc.MLPVAE(latent_dim=3, hidden_dim=16)
    ae_shapes = [p.shape for p in ae.parameters()]
    vae_shapes = [
        p.shape
        for n, p in vae.named_parameters()
        if not n.startswith("encoder.logvar")
    ]
    assert ae_shapes == vae_shapes
    assert not any("logvar" in n for n, _ in ae.named_parameters())
    assert not isinstance(ae, vc.VAE)  # no (mu, logvar): not a VAE


def test_the_code_is_a_point():
    ae = vc.Autoencoder(code_dim=4, hidden_dim=16)
    x = images(8)
    z = ae.encode(x)
    assert isinstance(z, torch.Tensor) and z.shape == (8, 4)
    torch.testing.assert_close(ae.encoder(x), z)  # deterministic
    assert ae.decode(z).shape == (8, 1, 28, 28)


def test_training_minimises_the_reconstruction_only():
    torch.manual_seed(1)
    ae = vc.Autoencoder(code_dim=2, hidden_dim=32)
    x = (images(128) > 0.7).float()
    objective = vc.ReconstructionObjective()
    before = vc.evaluate(ae, x, objective)
    assert set(before) == {"reconstruction"}  # no KL, no ELBO
    history = vc.train(
        ae, (x, x), 4, loss=objective, batch_size=16, lr=1e-2, progress=False
    )
    # the loss the trainer minimised is -log p(x | z = encoder(x))
    for loss, recon in zip(
        history.train_loss, history.train_reconstruction, strict=True
    ):
        assert loss == pytest.approx(-recon, rel=1e-5)
    assert not hasattr(history, "test_kl")
    after = vc.evaluate(ae, x, objective)["reconstruction"]
    assert after > before["reconstruction"] + 10
    assert history.test_reconstruction[-1] == pytest.approx(after)


def test_the_objective_is_the_deterministic_reconstruction():
    torch.manual_seed(2)
    ae = vc.Autoencoder(code_dim=2, hidden_dim=16)
    x = images(16)
    loss, parts = vc.ReconstructionObjective()(ae, x)
    exact = vc.bernoulli_log_likelihood(x, ae.decoder(ae.encoder(x)))
    torch.testing.assert_close(parts["reconstruction"], exact)
    torch.testing.assert_close(loss, -exact.mean())


def test_the_elbo_refuses_an_autoencoder():
    ae = vc.Autoencoder(code_dim=2, hidden_dim=16)
    with pytest.raises(TypeError, match="latent_dim|VAE|encoder"):
        vc.train(ae, images(8), 1, progress=False)  # the ELBO by default
