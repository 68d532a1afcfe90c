"""Every bad-input case of issue 2: mismatched shapes, values out of range,
wrong dtypes and mixed devices raise ValueError/TypeError whose message names
what was expected and what came."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import assert_message

import vae_course as vc

OTHER_DEVICES = [
    pytest.param("meta", id="meta"),
    pytest.param(
        "cuda",
        id="cuda",
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(),
            reason="needs a CUDA device next to the CPU",
        ),
    ),
]


def f32(*shape, device="cpu"):
    return torch.full(shape, 0.5, device=device)


# ---------------------------------------------------------- mismatched shapes
@pytest.mark.parametrize(
    "fn",
    [vc.reparameterize, vc.gaussian_kl],
    ids=["reparameterize", "gaussian_kl"],
)
def test_mu_and_logvar_shapes_must_match(fn):
    with pytest.raises(ValueError) as excinfo:
        fn(torch.zeros(32, 20), torch.zeros(32, 10))
    assert_message(excinfo, "logvar", "mu", shapes=[(32, 10), (32, 20)])


def test_log_normal_diag_shapes_must_match():
    with pytest.raises(ValueError) as excinfo:
        vc.log_normal_diag(
            torch.zeros(4, 3), torch.zeros(4, 3), torch.zeros(4, 2)
        )
    assert_message(excinfo, "logvar", "mu", shapes=[(4, 2), (4, 3)])


@pytest.mark.parametrize(
    "fn,name",
    [
        (vc.bernoulli_log_likelihood, "logits"),
        (vc.gaussian_log_likelihood, "mean"),
    ],
    ids=["bernoulli", "gaussian"],
)
def test_x_and_decoder_output_shapes_must_match(fn, name):
    with pytest.raises(ValueError) as excinfo:
        fn(f32(4, 784), torch.zeros(4, 10))
    assert_message(excinfo, "x", name, shapes=[(4, 784), (4, 10)])
    with pytest.raises(
        ValueError
    ) as excinfo:  # a flat decoder output for image-shaped x
        fn(f32(4, 1, 28, 28), torch.zeros(4, 784))
    assert_message(excinfo, shapes=[(4, 1, 28, 28), (4, 784)])


def test_elbo_from_outputs_batch_mismatch():
    with pytest.raises(ValueError) as excinfo:
        vc.elbo_from_outputs(
            f32(8, 1, 28, 28),
            torch.zeros(8, 1, 28, 28),
            torch.zeros(4, 2),
            torch.zeros(4, 2),
        )
    assert_message(excinfo, "mu", "x", "8", "4")


@pytest.mark.parametrize(
    "make", [vc.MLPVAE, vc.ConvVAE], ids=["MLPVAE", "ConvVAE"]
)
def test_models_name_the_expected_image_and_latent_shapes(make):
    model = make(latent_dim=3)
    with pytest.raises(ValueError) as excinfo:
        model.encode(f32(4, 1, 32, 32))
    assert_message(excinfo, "x", "28", shapes=[(4, 1, 32, 32)])
    with pytest.raises(ValueError) as excinfo:
        model.decode(torch.zeros(4, 5))
    assert_message(excinfo, "z", "3", shapes=[(4, 5)])


def test_linear_gaussian_model_names_the_data_dimension():
    model = vc.LinearGaussianModel.random(5, 2)
    with pytest.raises(ValueError) as excinfo:
        model.log_marginal(torch.zeros(3, 4, dtype=torch.float64))
    assert_message(excinfo, "x", "5", shapes=[(3, 4)])
    with pytest.raises(ValueError) as excinfo:
        vc.LinearGaussianModel(torch.zeros(5, 2), torch.zeros(4))
    assert_message(excinfo, "b", "W", shapes=[(4,), (5, 2)])


def test_probe_features_and_labels_must_pair_up():
    with pytest.raises(ValueError) as excinfo:
        vc.probe_accuracy(
            torch.zeros(10, 2),
            torch.arange(9) % 3,
            torch.zeros(5, 2),
            torch.arange(5) % 3,
        )
    assert_message(excinfo, "10", "9")


# -------------------------------------------------------- values out of range
@pytest.mark.parametrize("bad", [255.0, 1.5, -0.5])
def test_bernoulli_targets_outside_unit_interval(bad):
    x = f32(2, 1, 28, 28)
    x[0, 0, 5, 5] = bad
    with pytest.raises(ValueError) as excinfo:
        vc.bernoulli_log_likelihood(x, torch.zeros(2, 1, 28, 28))
    assert_message(excinfo, "x", "[0, 1]", f"{bad:g}")


def test_bernoulli_targets_with_nan():
    x = f32(2, 4)
    x[1, 1] = float("nan")
    with pytest.raises(ValueError) as excinfo:
        vc.bernoulli_log_likelihood(x, torch.zeros(2, 4))
    assert_message(excinfo, "x", "nan")


@pytest.mark.parametrize("u", [0.0, 1.0, -0.1, 1.5])
@pytest.mark.parametrize("name", list(vc.INVERSE_CDFS))
def test_u_outside_the_open_unit_interval(name, u):
    icdf = vc.INVERSE_CDFS[name]
    params = (1.0, 1.0) if name != "exponential" else (1.0,)
    with pytest.raises(ValueError) as excinfo:
        icdf(torch.tensor([0.5, u]), *params)
    assert_message(excinfo, "u", "(0, 1)", f"{u:.4g}")


@pytest.mark.parametrize("bad", [0.0, -2.0])
@pytest.mark.parametrize(
    "name,position,param",
    [
        ("normal", 1, "scale"),
        ("logistic", 1, "scale"),
        ("gumbel", 1, "scale"),
        ("laplace", 1, "scale"),
        ("cauchy", 1, "scale"),
        ("exponential", 0, "rate"),
        ("kumaraswamy", 0, "a"),
        ("kumaraswamy", 1, "b"),
    ],
)
def test_non_positive_scales(name, position, param, bad):
    params = [1.0, 1.0] if name != "exponential" else [1.0]
    params[position] = torch.tensor([1.0, bad])
    with pytest.raises(ValueError) as excinfo:
        vc.INVERSE_CDFS[name](torch.tensor([0.3, 0.6]), *params)
    assert_message(excinfo, f"{param} must be positive", f"{bad:g}")


@pytest.mark.parametrize(
    "fn", [vc.score_function_grad, vc.reparam_grad], ids=["score", "reparam"]
)
@pytest.mark.parametrize("sigma", [0.0, -1.0])
def test_gradient_estimators_need_a_positive_sigma(fn, sigma):
    with pytest.raises(ValueError) as excinfo:
        fn(lambda z: z**2, 0.0, sigma, 10)
    assert_message(excinfo, "sigma", "positive", f"{sigma:g}")
    with pytest.raises(ValueError) as excinfo:
        vc.z_squared_grad_variance(1.0, sigma)
    assert_message(excinfo, "sigma", "positive")


@pytest.mark.parametrize(
    "fn", [vc.score_function_grad, vc.reparam_grad], ids=["score", "reparam"]
)
def test_gradient_estimators_need_an_elementwise_f(fn):
    with pytest.raises(ValueError) as excinfo:
        fn(lambda z: z.sum(), 0.0, 1.0, 10)
    assert_message(excinfo, "elementwise", shapes=[(10,)])


@pytest.mark.parametrize(
    "call,name",
    [
        (
            lambda: vc.reparameterize(
                torch.zeros(2, 2), torch.zeros(2, 2), n_samples=0
            ),
            "n_samples",
        ),
        (
            lambda: vc.score_function_grad(lambda z: z, 0.0, 1.0, 0),
            "n_samples",
        ),
        (
            lambda: vc.elbo(vc.MLPVAE(2, 8), f32(2, 1, 28, 28), n_samples=0),
            "n_samples",
        ),
        (lambda: vc.iwae_bound(vc.MLPVAE(2, 8), f32(2, 1, 28, 28), 0), "k"),
        (
            lambda: vc.interpolate(
                vc.MLPVAE(2, 8), f32(1, 28, 28), f32(1, 28, 28), steps=1
            ),
            "steps",
        ),
        (
            lambda: vc.grid_log_marginal(
                vc.LinearGaussianModel.random(3, 1),
                torch.zeros(1, 3, dtype=torch.float64),
                0,
            ),
            "n_points",
        ),
    ],
    ids=[
        "reparameterize",
        "score_function_grad",
        "elbo",
        "iwae_bound",
        "interpolate",
        "grid_log_marginal",
    ],
)
def test_counts_must_be_positive(call, name):
    with pytest.raises(ValueError) as excinfo:
        call()
    assert_message(excinfo, name)


@pytest.mark.parametrize("beta", [-1.0, float("nan"), float("inf")])
def test_beta_must_be_finite_and_non_negative(beta):
    with pytest.raises(ValueError) as excinfo:
        vc.elbo(vc.MLPVAE(2, 8), f32(2, 1, 28, 28), beta=beta)
    assert_message(excinfo, "beta", str(beta))


def test_unknown_method_and_likelihood_names():
    with pytest.raises(ValueError) as excinfo:
        vc.generate(vc.MLPVAE(2, 8), 3, method="median")
    assert_message(excinfo, "median", "mean", "sample")
    with pytest.raises(ValueError) as excinfo:
        vc.embed(vc.MLPVAE(2, 8), f32(2, 1, 28, 28), method="mode")
    assert_message(excinfo, "mode", "mean", "sample")
    with pytest.raises(ValueError) as excinfo:
        vc.probe_accuracy(
            torch.zeros(20, 2),
            torch.arange(20) % 2,
            torch.zeros(4, 2),
            torch.arange(4) % 2,
            method="svm",
        )
    assert_message(excinfo, "svm", "logistic", "knn")


def test_latent_grid_bounds():
    with pytest.raises(ValueError) as excinfo:
        vc.latent_grid(vc.MLPVAE(2, 8), n=3, lo=0.0, hi=1.0)
    assert_message(excinfo, "lo", "hi")


# --------------------------------------------------------------- wrong dtypes
@pytest.mark.parametrize("which", ["mu", "logvar"])
@pytest.mark.parametrize(
    "fn",
    [vc.reparameterize, vc.gaussian_kl],
    ids=["reparameterize", "gaussian_kl"],
)
def test_integer_mu_or_logvar(fn, which):
    args = {"mu": torch.zeros(3, 2), "logvar": torch.zeros(3, 2)}
    args[which] = torch.zeros(3, 2, dtype=torch.int64)
    with pytest.raises(TypeError) as excinfo:
        fn(args["mu"], args["logvar"])
    assert_message(excinfo, which, "float", "int64")


@pytest.mark.parametrize(
    "fn",
    [vc.bernoulli_log_likelihood, vc.gaussian_log_likelihood],
    ids=["bernoulli", "gaussian"],
)
def test_integer_pixels(fn):
    x = torch.randint(0, 256, (2, 1, 28, 28), dtype=torch.uint8)
    with pytest.raises(TypeError) as excinfo:
        fn(x, torch.zeros(2, 1, 28, 28))
    assert_message(excinfo, "x", "float", "uint8")
    with pytest.raises(TypeError) as excinfo:
        fn(f32(2, 1, 28, 28), torch.zeros(2, 1, 28, 28, dtype=torch.int32))
    assert_message(excinfo, "float", "int32")


def test_integer_u_for_an_inverse_cdf():
    with pytest.raises(TypeError) as excinfo:
        vc.normal_icdf(torch.tensor([0, 1]))
    assert_message(excinfo, "u", "float", "int64")


def test_integer_images_for_models_and_trainer(mnist):
    as_bytes = (mnist.test_images[:4] * 255).to(torch.uint8)
    with pytest.raises(TypeError) as excinfo:
        vc.MLPVAE(2, 8).encode(as_bytes)
    assert_message(excinfo, "x", "float", "uint8")
    with pytest.raises(TypeError) as excinfo:
        vc.train(
            vc.MLPVAE(2, 8), (as_bytes, as_bytes), epochs=1, progress=False
        )
    assert_message(excinfo, "float", "uint8")


def test_trainer_rejects_unscaled_pixels(mnist):
    """0-255 floats (a forgotten / 255) would silently break the Bernoulli
    likelihood."""
    x = mnist.test_images[:16] * 255
    with pytest.raises(ValueError) as excinfo:
        vc.train(vc.MLPVAE(2, 8), (x, x), epochs=1, progress=False)
    assert_message(excinfo, "[0, 1]", "255")


def test_trainer_rejects_bad_arguments(mnist):
    data = (mnist.test_images[:16], mnist.test_images[:16])
    with pytest.raises(ValueError) as excinfo:
        vc.train(vc.MLPVAE(2, 8), data, epochs=0, progress=False)
    assert_message(excinfo, "epochs", "0")
    with pytest.raises(TypeError) as excinfo:
        vc.train(vc.MLPVAE(2, 8), "mnist", epochs=1, progress=False)
    assert_message(excinfo, "data", "str")
    with pytest.raises(ValueError) as excinfo:
        vc.train(
            vc.MLPVAE(2, 8), data, epochs=1, free_bits=-1.0, progress=False
        )
    assert_message(excinfo, "free_bits", "-1")


def test_non_tensor_arguments():
    with pytest.raises(TypeError) as excinfo:
        vc.gaussian_kl([[0.0, 1.0]], torch.zeros(1, 2))
    assert_message(excinfo, "mu", "tensor", "list")
    with pytest.raises(TypeError) as excinfo:
        vc.inverse_cdf_sample("normal", 0.0, 1.0)
    assert_message(excinfo, "icdf", "str")


def test_model_without_likelihood():
    class Bare(torch.nn.Module):
        def encode(self, x):
            return torch.zeros(len(x), 2), torch.zeros(len(x), 2)

        def decode(self, z):
            return torch.zeros(*z.shape[:-1], 1, 28, 28)

    with pytest.raises(TypeError) as excinfo:
        vc.elbo(Bare(), f32(2, 1, 28, 28))
    assert_message(excinfo, "likelihood", "Bare")


# -------------------------------------------------------------- mixed devices
@pytest.mark.parametrize("other", OTHER_DEVICES)
@pytest.mark.parametrize(
    "fn",
    [vc.reparameterize, vc.gaussian_kl],
    ids=["reparameterize", "gaussian_kl"],
)
def test_mu_and_logvar_on_different_devices(fn, other):
    with pytest.raises(ValueError) as excinfo:
        fn(torch.zeros(3, 2), torch.zeros(3, 2, device=other))
    assert_message(excinfo, "device", "mu", "logvar", "cpu", other)


@pytest.mark.parametrize("other", OTHER_DEVICES)
@pytest.mark.parametrize(
    "fn,name",
    [
        (vc.bernoulli_log_likelihood, "logits"),
        (vc.gaussian_log_likelihood, "mean"),
    ],
    ids=["bernoulli", "gaussian"],
)
def test_x_and_decoder_output_on_different_devices(fn, name, other):
    with pytest.raises(ValueError) as excinfo:
        fn(f32(2, 4), torch.zeros(2, 4, device=other))
    assert_message(excinfo, "device", "x", name, "cpu", other)


@pytest.mark.parametrize("other", OTHER_DEVICES)
@pytest.mark.parametrize(
    "model_class", [vc.MLPVAE, vc.ConvVAE], ids=["mlp", "conv"]
)
def test_model_inputs_on_another_device(model_class, other):
    """Images for encode and codes for decode must be where the model's weights
    are."""
    model = model_class(latent_dim=2)
    with pytest.raises(ValueError) as excinfo:
        model.encode(torch.zeros(2, 1, 28, 28, device=other))
    assert_message(excinfo, "device", "x", "weights", "cpu", other)
    with pytest.raises(ValueError) as excinfo:
        model.decode(torch.zeros(2, 2, device=other))
    assert_message(excinfo, "device", "z", "weights", "cpu", other)


@pytest.mark.parametrize("other", OTHER_DEVICES)
def test_inverse_cdf_parameters_on_another_device(other):
    with pytest.raises(ValueError) as excinfo:
        vc.normal_icdf(
            torch.tensor([0.3, 0.6]), torch.zeros(2, device=other), 1.0
        )
    assert_message(excinfo, "device", "cpu", other)


@pytest.mark.parametrize("other", OTHER_DEVICES)
def test_gradient_estimator_parameters_on_different_devices(other):
    with pytest.raises(ValueError) as excinfo:
        vc.reparam_grad(
            lambda z: z**2, torch.zeros(2), torch.ones(2, device=other), 4
        )
    assert_message(excinfo, "device", "mu", "sigma", "cpu", other)


@pytest.mark.parametrize("other", OTHER_DEVICES)
def test_log_normal_diag_on_different_devices(other):
    with pytest.raises(ValueError) as excinfo:
        vc.log_normal_diag(
            torch.zeros(3, 2, device=other),
            torch.zeros(3, 2),
            torch.zeros(3, 2),
        )
    assert_message(excinfo, "device", "cpu", other)


def test_float64_images_for_a_float32_model():
    """torch.from_numpy(pixels / 255) gives float64: the common mistake should
    be named, not a matmul error."""
    x64 = torch.rand(4, 1, 28, 28, dtype=torch.float64)
    model = vc.MLPVAE(2, 8)
    with pytest.raises(TypeError) as excinfo:
        model.encode(x64)
    assert_message(excinfo, "x", "float64", "float32")


def test_float64_data_for_the_trainer():
    """The trainer casts its data to the model's dtype (it owns the copy)."""
    x64 = torch.rand(16, 1, 28, 28, dtype=torch.float64)
    model = vc.MLPVAE(2, 8)
    history = vc.train(model, (x64, x64), epochs=1, progress=False)
    assert len(history.test_elbo) == 1
    assert math.isfinite(history.test_elbo[0])
    assert next(model.parameters()).dtype == torch.float32


# ------------------------------------------- issue 12: sizes, batches, dtypes
def mlp():
    return vc.MLPVAE(2, 8)


EMPTY = torch.zeros(0, 1, 28, 28)


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: vc.elbo(mlp(), EMPTY), "x"),
        (lambda: vc.iwae_bound(mlp(), EMPTY, 2), "x"),
        (lambda: vc.evaluate(mlp(), EMPTY), "images"),
        (lambda: vc.train(mlp(), EMPTY, 1, progress=False), "train images"),
        (lambda: vc.embed(mlp(), EMPTY), "x"),
        (lambda: vc.reconstruct(mlp(), EMPTY), "x"),
        (lambda: mlp().encode(EMPTY), "x"),
        (lambda: vc.bernoulli_log_likelihood(EMPTY, EMPTY), "x"),
        (lambda: vc.gaussian_log_likelihood(EMPTY, EMPTY), "x"),
        (
            lambda: vc.elbo_from_outputs(
                EMPTY, EMPTY, torch.zeros(0, 2), torch.zeros(0, 2)
            ),
            "x",
        ),
        (
            lambda: vc.free_bits_kl(torch.zeros(0, 2), torch.zeros(0, 2), 1.0),
            "mu",
        ),
    ],
    ids=[
        "elbo",
        "iwae_bound",
        "evaluate",
        "train",
        "embed",
        "reconstruct",
        "encode",
        "bernoulli",
        "gaussian",
        "elbo_from_outputs",
        "free_bits_kl",
    ],
)
def test_empty_batches_are_refused(call, name):
    with pytest.raises(ValueError) as excinfo:
        call()
    assert_message(excinfo, name, "batch")


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: vc.MLPVAE(latent_dim=0), "latent_dim"),
        (lambda: vc.MLPVAE(latent_dim=-3), "latent_dim"),
        (lambda: vc.MLPVAE(hidden_dim=0), "hidden_dim"),
        (lambda: vc.MLPVAE(hidden_dim=-1), "hidden_dim"),
        (lambda: vc.MLPVAE(hidden_dim=2.5), "hidden_dim"),
        (lambda: vc.ConvVAE(latent_dim=0), "latent_dim"),
        (lambda: vc.generate(mlp(), 0), "n"),
        (lambda: vc.generate(mlp(), -2), "n"),
        (lambda: vc.latent_grid(mlp(), n=0), "n"),
        (lambda: vc.embed(mlp(), f32(2, 784), batch_size=0), "batch_size"),
        (lambda: vc.evaluate(mlp(), f32(2, 784), batch_size=-1), "batch_size"),
        (lambda: vc.train(mlp(), f32(2, 784), 0, progress=False), "epochs"),
        (
            lambda: vc.train(mlp(), f32(2, 784), 1, batch_size=0),
            "batch_size",
        ),
        (lambda: vc.train(mlp(), f32(2, 784), 1, lr=0.0), "lr"),
        (lambda: vc.train(mlp(), f32(2, 784), 1, lr=-1e-3), "lr"),
        (lambda: vc.train(mlp(), f32(2, 784), 1, free_bits=-1), "free_bits"),
        (
            lambda: vc.train(mlp(), f32(2, 784), 1, kl_warmup_epochs=-1),
            "kl_warmup_epochs",
        ),
        (lambda: vc.train(mlp(), f32(2, 784), 1, n_samples=0), "n_samples"),
        (lambda: vc.kl_warmup(0, 10), "step"),
        (lambda: vc.kl_warmup(1, -1), "warmup_steps"),
        (lambda: vc.kl_warmup(1, 10, beta=-1.0), "beta"),
        (
            lambda: vc.free_bits_kl(torch.zeros(2, 2), torch.zeros(2, 2), -1),
            "free_bits",
        ),
        (lambda: vc.iwae_bound(mlp(), f32(2, 784), 4, chunk_size=0), "chunk"),
        (lambda: vc.active_units(mlp(), f32(4, 784), threshold=-1), "thresh"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_zero_negative_and_fractional_sizes_are_refused(call, name):
    with pytest.raises(ValueError) as excinfo:
        call()
    assert_message(excinfo, name)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize(
    "call,name",
    [
        (lambda t: vc.reparameterize(t(2, 3), t(2, 3)), "mu"),
        (lambda t: vc.gaussian_kl(t(2, 3), t(2, 3)), "mu"),
        (lambda t: vc.bernoulli_log_likelihood(t(2, 4), t(2, 4)), "x"),
        (lambda t: vc.gaussian_log_likelihood(t(2, 4), t(2, 4)), "x"),
        (lambda t: vc.elbo(mlp(), t(2, 784)), "x"),
        (lambda t: vc.iwae_bound(mlp(), t(2, 784), 2), "x"),
        (lambda t: vc.evaluate(mlp(), t(2, 784)), "images"),
        (lambda t: vc.train(mlp(), t(4, 784), 1, progress=False), "images"),
        (lambda t: vc.embed(mlp(), t(2, 784)), "x"),
        (lambda t: vc.log_normal_diag(t(2, 3), t(2, 3), t(2, 3)), "z"),
    ],
    ids=[
        "reparameterize",
        "gaussian_kl",
        "bernoulli",
        "gaussian",
        "elbo",
        "iwae_bound",
        "evaluate",
        "train",
        "embed",
        "log_normal_diag",
    ],
)
def test_half_precision_is_refused_by_name(call, name, dtype):
    def tensor(*shape):
        return torch.full(shape, 0.5, dtype=dtype)

    with pytest.raises(TypeError) as excinfo:
        call(tensor)
    assert_message(excinfo, name, str(dtype), "float32")


def test_non_models_are_refused_naming_what_is_missing():
    class NoDecoder:
        latent_dim, likelihood = 2, "bernoulli"

        def encode(self, x):
            return x, x

    for call in (
        lambda: vc.elbo(NoDecoder(), f32(2, 784)),
        lambda: vc.evaluate(NoDecoder(), f32(2, 784)),
        lambda: vc.generate(NoDecoder(), 2),
        lambda: vc.train(NoDecoder(), f32(2, 784), 1),
    ):
        with pytest.raises(TypeError) as excinfo:
            call()
        assert_message(excinfo, "NoDecoder", "decode")


def test_train_refuses_an_optimizer_of_another_model():
    model, other = mlp(), mlp()
    optimizer = torch.optim.Adam(other.parameters())
    with pytest.raises(ValueError) as excinfo:
        vc.train(model, f32(4, 784), 1, optimizer=optimizer, progress=False)
    assert_message(excinfo, "optimizer", "parameters")
    with pytest.raises(ValueError):
        vc.train_step(model, f32(4, 784), optimizer, vc.ELBOObjective())
    # an optimizer over only part of the model is refused too, naming a part
    partial = torch.optim.SGD(model.decoder.parameters(), lr=0.1)
    with pytest.raises(ValueError) as excinfo:
        vc.train_step(model, f32(4, 784), partial, vc.ELBOObjective())
    assert_message(excinfo, "encoder")
    with pytest.raises(TypeError) as excinfo:
        vc.train_step(model, f32(4, 784), "adam", vc.ELBOObjective())
    assert_message(excinfo, "optimizer", "str")


def test_train_stops_on_a_nan_loss_naming_epoch_and_step(mnist):
    """A learning rate of 10 sends the loss to NaN/inf within the first
    epoch."""
    torch.manual_seed(0)
    with pytest.raises(vc.TrainingError) as excinfo:
        vc.train(
            vc.MLPVAE(2, 32),
            mnist.train_images[:640],
            3,
            lr=10.0,
            progress=False,
        )
    assert_message(excinfo, "epoch 1", "step", "lr")


def test_the_nan_message_names_the_first_bad_step(monkeypatch):
    """Step 3 of epoch 2 (of 2 steps per epoch... 4 steps in all) goes bad."""
    real_step = vc.training.train_step
    calls = []

    def flaky_step(*args, **kwargs):
        loss, parts = real_step(*args, **kwargs)
        calls.append(1)
        return (loss * float("nan") if len(calls) >= 3 else loss), parts

    monkeypatch.setattr(vc.training, "train_step", flaky_step)
    with pytest.raises(vc.TrainingError) as excinfo:
        vc.train(mlp(), f32(8, 784), 3, batch_size=4, progress=False)
    assert_message(excinfo, "nan", "epoch 2", "step 1 of 2", "step 3 overall")
    assert len(calls) == 4  # it stopped at the end of that epoch


@pytest.mark.parametrize(
    "call,name,error",
    [
        (lambda: vc.image_grid(EMPTY), "n >= 1", ValueError),
        (lambda: vc.image_grid(f32(4, 784), nrow=0), "nrow", ValueError),
        (lambda: vc.image_grid(f32(4, 784), pad=-1), "pad", ValueError),
        (lambda: vc.show_images(EMPTY), "n >= 1", ValueError),
        (
            lambda: vc.plot_latent_scatter(torch.zeros(0, 2), torch.zeros(0)),
            "n >= 1",
            ValueError,
        ),
        (
            lambda: vc.plot_latent_scatter(torch.zeros(5, 2), torch.zeros(4)),
            "labels",
            ValueError,
        ),
        (
            lambda: vc.grid_log_marginal(
                vc.LinearGaussianModel.random(3, 1),
                torch.zeros(0, 3, dtype=torch.float64),
                10,
            ),
            "batch >= 1",
            ValueError,
        ),
        (lambda: vc.make_generator("7"), "seed", TypeError),
    ],
    ids=[
        "image_grid empty",
        "image_grid nrow",
        "image_grid pad",
        "show_images empty",
        "scatter empty",
        "scatter labels",
        "grid_log_marginal empty",
        "make_generator",
    ],
)
def test_plots_and_helpers_refuse_empty_or_impossible_input(call, name, error):
    with pytest.raises(error) as excinfo:
        call()
    assert_message(excinfo, name)
