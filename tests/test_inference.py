"""Inference with a trained VAE (chapter 5): generate, embed, reconstruct,
interpolate, latent_grid, active_units and probe_accuracy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import PriorVAE, gen
from torch import nn

import vae_course as vc


# ------------------------------------------------------------------- generate
def test_generate_mean_images(trained_mlp):
    images = vc.generate(trained_mlp, 12, method="mean", generator=gen(1))
    assert images.shape == (12, 1, 28, 28)
    assert ((images >= 0) & (images <= 1)).all()
    assert not (
        (images == 0) | (images == 1)
    ).all()  # Method A: grey levels, not 0/1 pixels


def test_generate_sampled_bernoulli_pixels_are_binary(trained_mlp):
    images = vc.generate(trained_mlp, 12, method="sample", generator=gen(2))
    assert images.shape == (12, 1, 28, 28)
    assert set(torch.unique(images).tolist()) <= {0.0, 1.0}


def test_generate_given_z_and_reproducibility(trained_mlp):
    z = torch.randn(5, trained_mlp.latent_dim, generator=gen(3))
    images = vc.generate(trained_mlp, 5, z=z)
    torch.testing.assert_close(
        images, torch.sigmoid(trained_mlp.decode(z)).detach()
    )
    a = vc.generate(trained_mlp, 4, generator=gen(4))
    b = vc.generate(trained_mlp, 4, generator=gen(4))
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_generate_gaussian_sample_is_mean_plus_unit_noise():
    model = vc.MLPVAE(latent_dim=2, hidden_dim=16, likelihood="gaussian")
    z = torch.zeros(200, 2)
    mean = vc.generate(model, 200, method="mean", z=z)
    sample = vc.generate(model, 200, method="sample", z=z, generator=gen(5))
    noise = sample - mean
    assert (
        abs(noise.mean().item()) < 0.01
        and abs(noise.std().item() - 1.0) < 0.01
    )


def test_generate_returns_no_graph(trained_mlp):
    assert not vc.generate(trained_mlp, 2).requires_grad


# ---------------------------------------------------------------------- embed
def test_embed_mean_is_the_posterior_mean(trained_mlp, mnist):
    x = mnist.test_images[:50]
    z = vc.embed(trained_mlp, x, method="mean")
    assert z.shape == (50, trained_mlp.latent_dim)
    torch.testing.assert_close(z, trained_mlp.encode(x)[0].detach())


def test_embed_sample_is_drawn_from_q(trained_mlp, mnist):
    x = mnist.test_images[:1].expand(4000, 1, 28, 28)
    mu, logvar = (t.detach() for t in trained_mlp.encode(x[:1]))
    z = vc.embed(trained_mlp, x, method="sample", generator=gen(6))
    assert z.shape == (4000, trained_mlp.latent_dim)
    std = torch.exp(logvar / 2)[0]
    assert ((z.mean(0) - mu[0]).abs() < 5 * std / 4000**0.5).all()
    assert ((z.std(0) / std - 1).abs() < 0.08).all()


# ---------------------------------------------------- reconstruct/interpolate
def test_reconstruct(trained_mlp, mnist):
    x = mnist.test_images[:8]
    rec = vc.reconstruct(trained_mlp, x)
    assert rec.shape == (8, 1, 28, 28)
    assert ((rec >= 0) & (rec <= 1)).all()
    torch.testing.assert_close(
        rec,
        torch.sigmoid(trained_mlp.decode(trained_mlp.encode(x)[0])).detach(),
    )
    # a trained model reconstructs its inputs much better than the average
    # training digit does
    err = (rec - x).pow(2).mean()
    baseline = (mnist.train_images.mean(0, keepdim=True) - x).pow(2).mean()
    assert err < 0.7 * baseline


def test_interpolate_endpoints_are_the_reconstructions(trained_mlp, mnist):
    x_a, x_b = mnist.test_images[0], mnist.test_images[1]
    path = vc.interpolate(trained_mlp, x_a, x_b, steps=7)
    assert path.shape == (7, 1, 28, 28)
    ends = vc.reconstruct(trained_mlp, torch.stack([x_a, x_b]))
    torch.testing.assert_close(path[0], ends[0])
    torch.testing.assert_close(path[-1], ends[1])
    # batched [1, 1, 28, 28] inputs give the same path
    torch.testing.assert_close(
        vc.interpolate(trained_mlp, x_a[None], x_b[None], steps=7), path
    )


def test_latent_grid_shape_and_order():
    torch.manual_seed(0)
    model = vc.MLPVAE(latent_dim=2, hidden_dim=16)
    images = vc.latent_grid(model, n=5)
    assert images.shape == (25, 1, 28, 28)
    assert ((images >= 0) & (images <= 1)).all()
    # the centre of an odd grid is z = (0, 0)
    torch.testing.assert_close(
        images[12], torch.sigmoid(model.decode(torch.zeros(1, 2)))[0].detach()
    )
    with pytest.raises(ValueError, match="latent_dim"):
        vc.latent_grid(vc.MLPVAE(latent_dim=3, hidden_dim=16))


def test_latent_grid_maps_a_uniform_grid_through_the_normal_icdf():
    """Rows run from high z_2 to low, columns from low z_1 to high (Kingma &
    Welling fig. 4)."""

    class Echo(nn.Module):
        """Decoder whose 'image' holds z in its first two pixels (for reading
        the grid back)."""

        latent_dim, likelihood = 2, vc.get_likelihood("gaussian")

        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(()))

        def encoder(self, x):
            raise NotImplementedError

        def decoder(self, z):
            out = torch.zeros(*z.shape[:-1], 784)
            out[..., :2] = z
            return out.view(*z.shape[:-1], 1, 28, 28) + self.w

        def decode(self, z):
            return self.decoder(z)

    z = (
        vc.latent_grid(Echo(), n=3, lo=0.1, hi=0.9)
        .view(9, 784)[:, :2]
        .view(3, 3, 2)
    )
    q = torch.distributions.Normal(0.0, 1.0).icdf(
        torch.tensor([0.1, 0.5, 0.9])
    )
    torch.testing.assert_close(z[0, :, 0], q)  # z_1 rises along a row
    torch.testing.assert_close(
        z[:, 0, 1], q.flip(0)
    )  # z_2 falls down a column


# --------------------------------------------------------------- active units
class LinearEncoder(nn.Module):
    """mu = x[:, :k] * scale, logvar = 0: unit u is active iff scale_u != 0."""

    likelihood = vc.get_likelihood("bernoulli")

    def __init__(self, scale):
        super().__init__()
        self.scale = nn.Parameter(torch.as_tensor(scale, dtype=torch.float32))
        self.latent_dim = len(scale)

    def encoder(self, x):
        mu = x.flatten(1)[:, 300 : 300 + self.latent_dim] * self.scale
        return mu, torch.zeros_like(mu)

    def decoder(self, z):
        return torch.zeros(*z.shape[:-1], 1, 28, 28)


def test_active_units_counts_informative_dimensions(mnist):
    x = mnist.test_images[:500]
    n, variances = vc.active_units(LinearEncoder([1.0, 0.0, 2.0, 0.0]), x)
    assert n == 2
    assert variances.shape == (4,)
    expected = x.flatten(1)[:, 300:304].var(0) * torch.tensor(
        [1.0, 0.0, 4.0, 0.0]
    )
    torch.testing.assert_close(variances, expected)
    n_collapsed, v0 = vc.active_units(LinearEncoder([0.0, 0.0, 0.0]), x)
    assert n_collapsed == 0 and (v0 == 0).all()


def test_active_units_threshold(mnist):
    x = mnist.test_images[:500]
    _, variances = vc.active_units(LinearEncoder([1.0, 0.05]), x)
    cut = float(variances.min() + variances.max()) / 2
    assert (
        vc.active_units(LinearEncoder([1.0, 0.05]), x, threshold=cut)[0] == 1
    )
    assert (
        vc.active_units(LinearEncoder([1.0, 0.05]), x, threshold=0.0)[0] == 2
    )


def test_trained_model_has_active_units_and_collapsed_one_has_none(
    trained_mlp, mnist
):
    n, variances = vc.active_units(trained_mlp, mnist.test_images[:500])
    assert 1 <= n <= trained_mlp.latent_dim and variances.shape == (
        trained_mlp.latent_dim,
    )
    torch.manual_seed(0)
    collapsed = vc.MLPVAE(latent_dim=4, hidden_dim=32)
    with (
        torch.no_grad()
    ):  # an encoder that ignores x: q(z|x) = N(0, I) for every image
        collapsed.encoder.mu.weight.zero_()
        collapsed.encoder.mu.bias.zero_()
    assert vc.active_units(collapsed, mnist.test_images[:500])[0] == 0


# ------------------------------------------------------------- probe accuracy
CENTRES = np.random.RandomState(0).normal(size=(10, 5)) * 3


def clustered_features(labels, spread, seed):
    """One cluster per digit (the same centres for train and test) plus
    Gaussian noise."""
    rng = np.random.RandomState(seed)
    return CENTRES[labels] + spread * rng.normal(size=(len(labels), 5))


@pytest.mark.parametrize("method", ["logistic", "knn"])
def test_probe_accuracy_separable_vs_random(mnist, method):
    ytr, yte = mnist.train_labels.numpy(), mnist.test_labels.numpy()
    good = vc.probe_accuracy(
        clustered_features(ytr, 0.3, 1),
        ytr,
        clustered_features(yte, 0.3, 2),
        yte,
        n_labels=100,
        method=method,
    )
    assert good > 0.95
    rng = np.random.RandomState(3)
    chance = vc.probe_accuracy(
        rng.normal(size=(4000, 5)),
        ytr,
        rng.normal(size=(1000, 5)),
        yte,
        n_labels=100,
        method=method,
    )
    assert 0.03 < chance < 0.2


def test_probe_accuracy_on_embeddings_beats_chance(trained_mlp, mnist):
    ztr = vc.embed(trained_mlp, mnist.train_images)
    zte = vc.embed(trained_mlp, mnist.test_images)
    acc = vc.probe_accuracy(
        ztr, mnist.train_labels, zte, mnist.test_labels, n_labels=100
    )
    assert 0.4 < acc <= 1.0


def test_probe_uses_a_class_balanced_subset(mnist):
    idx = vc.balanced_subset(mnist.train_labels, 100, seed=0)
    assert len(idx) == 100 and len(set(idx.tolist())) == 100
    assert (
        np.bincount(mnist.train_labels.numpy()[idx], minlength=10).tolist()
        == [10] * 10
    )


def test_probe_is_deterministic(mnist):
    ytr, yte = mnist.train_labels.numpy(), mnist.test_labels.numpy()
    ftr, fte = clustered_features(ytr, 2.0, 4), clustered_features(yte, 2.0, 5)
    a = vc.probe_accuracy(ftr, ytr, fte, yte, n_labels=50, seed=1)
    b = vc.probe_accuracy(ftr, ytr, fte, yte, n_labels=50, seed=1)
    assert a == b


# ------------------------------------------- the model's dtype and device
@pytest.mark.parametrize(
    "make", [lambda: vc.MLPVAE(2, 16), lambda: vc.ConvVAE(2)]
)
def test_inference_follows_a_float64_model(make):
    torch.manual_seed(0)
    model = make().double()
    x = torch.rand(3, 1, 28, 28, dtype=torch.float64, generator=gen(0))
    outputs = {
        "generate": vc.generate(model, 4, generator=gen(1)),
        "generate sample": vc.generate(
            model, 4, method="sample", generator=gen(1)
        ),
        "latent_grid": vc.latent_grid(model, n=3),
        "embed": vc.embed(model, x),
        "embed float32 images": vc.embed(model, x.float()),
        "reconstruct": vc.reconstruct(model, x),
        "interpolate": vc.interpolate(model, x[0], x[1], steps=3),
        "decode_images": vc.decode_images(
            model, torch.zeros(2, 2, dtype=torch.float64)
        ),
    }
    for name, out in outputs.items():
        assert out.dtype == torch.float64, name
        assert torch.isfinite(out).all(), name
    n_active, variances = vc.active_units(model, x)
    assert variances.dtype == torch.float64


def test_inference_on_the_meta_device_follows_the_model():
    """Codes are drawn on the model's device (meta: no data, only shapes)."""
    model = vc.MLPVAE(2, 8).to("meta")
    assert vc.generate(model, 3).device.type == "meta"
    assert vc.latent_grid(model, n=2).device.type == "meta"


def test_inference_works_for_the_protocols_test_double():
    images = vc.generate(PriorVAE(), 2)
    torch.testing.assert_close(images, torch.full((2, 1, 28, 28), 0.5))
