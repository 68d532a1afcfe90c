"""vc.MLPVAE and vc.ConvVAE (chapter 4): architecture, shapes, leading sample
dims, likelihoods."""

from __future__ import annotations

import pytest
import torch
from conftest import PriorVAE, gen
from torch import nn

import vae_course as vc

MODELS = [
    pytest.param(lambda **kw: vc.MLPVAE(**kw), id="MLPVAE"),
    pytest.param(lambda **kw: vc.ConvVAE(**kw), id="ConvVAE"),
]


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_mlpvae_is_784_400_k():
    """784-400-(20+20) encoder and 20-400-784 decoder: 652,824 parameters, as
    in pytorch/examples."""
    model = vc.MLPVAE()
    assert model.latent_dim == 20 and model.likelihood.name == "bernoulli"
    assert n_params(model) == (784 * 400 + 400) + 2 * (400 * 20 + 20) + (
        20 * 400 + 400
    ) + (400 * 784 + 784)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert sorted((m.in_features, m.out_features) for m in linears) == sorted(
        [(784, 400), (400, 20), (400, 20), (20, 400), (400, 784)]
    )


def test_convvae_is_the_lectures_architecture():
    model = vc.ConvVAE()
    assert model.latent_dim == 10
    convs = [
        (m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding)
        for m in model.modules()
        if type(m) is nn.Conv2d
    ]
    assert convs == [
        (1, 32, (4, 4), (2, 2), (1, 1)),
        (32, 64, (4, 4), (2, 2), (1, 1)),
    ]
    deconvs = [
        (m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding)
        for m in model.modules()
        if isinstance(m, nn.ConvTranspose2d)
    ]
    assert deconvs == [
        (64, 32, (4, 4), (2, 2), (1, 1)),
        (32, 1, (4, 4), (2, 2), (1, 1)),
    ]
    linears = sorted(
        (m.in_features, m.out_features)
        for m in model.modules()
        if isinstance(m, nn.Linear)
    )
    assert linears == sorted(
        [(64 * 7 * 7, 10), (64 * 7 * 7, 10), (10, 64 * 7 * 7)]
    )
    # the decoder ends in logits: no Sigmoid module anywhere (sigmoid is for
    # display only)
    assert not any(isinstance(m, nn.Sigmoid) for m in model.modules())


@pytest.mark.parametrize("make", MODELS)
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_encode_decode_forward_shapes(make, likelihood):
    model = make(latent_dim=3, likelihood=likelihood)
    assert model.likelihood.name == likelihood
    x = torch.rand(4, 1, 28, 28, generator=gen(1))
    mu, logvar = model.encode(x)
    assert mu.shape == (4, 3) and logvar.shape == (4, 3)
    out = model.decode(mu)
    assert out.shape == (4, 1, 28, 28)
    out, mu2, logvar2 = model(x, generator=gen(2))
    assert out.shape == (4, 1, 28, 28)
    torch.testing.assert_close(mu2, mu)
    torch.testing.assert_close(logvar2, logvar)


@pytest.mark.parametrize("make", MODELS)
def test_decode_accepts_leading_sample_dims(make):
    model = make(latent_dim=3)
    z = torch.randn(5, 4, 3, generator=gen(3))
    out = model.decode(z)
    assert out.shape == (5, 4, 1, 28, 28)
    # the same as decoding each sample on its own
    torch.testing.assert_close(out[2], model.decode(z[2]))
    assert model.decode(torch.randn(2, 5, 4, 3, generator=gen(4))).shape == (
        2,
        5,
        4,
        1,
        28,
        28,
    )


@pytest.mark.parametrize("make", MODELS)
def test_forward_generator_reproducible(make):
    model = make(latent_dim=3)
    x = torch.rand(2, 1, 28, 28, generator=gen(5))
    a = model(x, generator=gen(6))[0]
    b = model(x, generator=gen(6))[0]
    c = model(x, generator=gen(7))[0]
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("make", MODELS)
def test_mean_image(make):
    bern = make(latent_dim=2)
    out = 50 * torch.randn(3, 1, 28, 28, generator=gen(8))
    img = bern.likelihood.mean(out)
    assert ((img >= 0) & (img <= 1)).all()
    torch.testing.assert_close(img, torch.sigmoid(out))
    gauss = make(latent_dim=2, likelihood="gaussian")
    torch.testing.assert_close(gauss.likelihood.mean(out), out)


@pytest.mark.parametrize("make", MODELS)
def test_flat_images_are_accepted(make):
    model = make(latent_dim=2)
    x = torch.rand(3, 1, 28, 28, generator=gen(9))
    mu_a, _ = model.encode(x)
    mu_b, _ = model.encode(x.view(3, 784))
    torch.testing.assert_close(mu_a, mu_b)


@pytest.mark.parametrize("make", MODELS)
def test_gradients_reach_every_parameter(make):
    model = make(latent_dim=2)
    x = torch.rand(3, 1, 28, 28, generator=gen(10))
    (-vc.elbo(model, x, generator=gen(11)).elbo.mean()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name


@pytest.mark.parametrize("make", MODELS)
def test_float64_models_work(make):
    model = make(latent_dim=2).double()
    x = torch.rand(2, 1, 28, 28, dtype=torch.float64, generator=gen(12))
    out, mu, logvar = model(x, generator=gen(13))
    assert out.dtype == mu.dtype == torch.float64


@pytest.mark.parametrize("make", MODELS)
def test_invalid_construction(make):
    with pytest.raises(ValueError, match="likelihood"):
        make(latent_dim=2, likelihood="poisson")
    with pytest.raises(ValueError, match="latent_dim"):
        make(latent_dim=0)


# ------------------------------------------------------- the VAE protocol
def test_the_models_and_the_test_double_are_vaes():
    for model in (
        vc.MLPVAE(2, 8),
        vc.ConvVAE(2),
        PriorVAE(),
        vc.LinearGaussianModel.random(3, 2),
    ):
        assert isinstance(model, vc.VAE), type(model).__name__


def test_something_without_a_decoder_is_not_a_vae():
    class EncoderOnly(torch.nn.Module):
        latent_dim, likelihood = 2, vc.get_likelihood("bernoulli")

        def encoder(self, x):
            return x, x

    assert not isinstance(EncoderOnly(), vc.VAE)
    assert not isinstance(torch.nn.Linear(2, 2), vc.VAE)


# ------------------------------------- encoder and decoder are modules
@pytest.mark.parametrize("make", MODELS)
def test_phi_and_theta_are_the_encoder_and_the_decoder(make):
    """phi = model.encoder.parameters(), theta = model.decoder.parameters():
    together every parameter, each once; no name prefixes."""
    model = make(latent_dim=3)
    phi = {id(p) for p in model.encoder.parameters()}
    theta = {id(p) for p in model.decoder.parameters()}
    assert phi and theta and not phi & theta
    assert phi | theta == {id(p) for p in model.parameters()}
    x = torch.rand(2, 1, 28, 28, generator=gen(20))
    mu, logvar = model.encoder(x)
    torch.testing.assert_close(model.encode(x)[0], mu)
    assert mu.shape == logvar.shape == (2, 3)
    z = torch.randn(4, 2, 3, generator=gen(21))
    assert model.decoder(z).shape == (4, 2, 1, 28, 28)


def test_the_likelihood_is_an_object_chosen_by_its_name():
    for name in ("bernoulli", "gaussian"):
        model = vc.MLPVAE(2, 8, likelihood=name)
        assert model.likelihood is vc.get_likelihood(name)
        assert model.config["likelihood"] == name
    with pytest.raises(ValueError, match="bernoulli"):
        vc.get_likelihood("poisson")


@pytest.mark.parametrize("name", ["bernoulli", "gaussian"])
def test_likelihood_methods_agree_with_each_other(name):
    like = vc.get_likelihood(name)
    x = (torch.rand(3, 1, 28, 28, generator=gen(22)) > 0.5).double()
    params = torch.randn(5, 1, 28, 28, generator=gen(23), dtype=torch.float64)
    pairwise = like.pairwise_log_prob(x, params)  # [3, 5]
    assert pairwise.shape == (3, 5)
    for g in range(5):
        one = like.log_prob(x, params[g].expand_as(x))
        torch.testing.assert_close(pairwise[:, g], one)
    draws = torch.stack([like.sample(params, gen(24 + i)) for i in range(400)])
    mean = like.mean(params)
    assert (draws.mean(0) - mean).abs().max() < 0.25
