"""vc.device, vc.seed_everything, vc.settings, vc.show_source, and that the public names exist."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import vae_course as vc


def test_device_returns_a_torch_device():
    d = vc.device()
    assert isinstance(d, torch.device)
    assert d.type in {"cuda", "mps", "cpu"}
    torch.zeros(1, device=d)  # usable


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert vc.device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert vc.device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert vc.device().type == "cuda"


def test_seed_everything_seeds_python_numpy_and_torch():
    vc.seed_everything(42)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    vc.seed_everything(42)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b
    vc.seed_everything(43)
    assert torch.rand(1).item() != a[2]


@pytest.fixture
def fresh_settings(monkeypatch):
    """settings() is read once per process; clear its cache around each test."""
    cache_clear = getattr(vc.settings, "cache_clear", None)
    if cache_clear is None:
        pytest.skip("vc.settings has no cache to clear")
    for name in ("VAE_COURSE_PROFILE", "VAE_COURSE_OFFLINE", "CI"):
        monkeypatch.delenv(name, raising=False)
    cache_clear()
    yield monkeypatch
    cache_clear()


def test_quick_profile(fresh_settings):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "quick")
    s = vc.settings()
    assert isinstance(s, vc.Settings)
    assert s.profile == "quick" and s.data_source == "offline"
    assert (
        isinstance(s.epochs, int)
        and isinstance(s.sweep_epochs, int)
        and 0 < s.sweep_epochs <= s.epochs
    )
    line = s.describe()
    assert (
        "\n" not in line
        and "quick" in line
        and str(s.epochs) in line
        and "VAE_COURSE_PROFILE" in line
    )


def test_full_profile_and_offline_switch(fresh_settings):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "full")
    full = vc.settings()
    assert full.profile == "full" and full.data_source == "auto"
    fresh_settings.setenv("VAE_COURSE_OFFLINE", "1")
    vc.settings.cache_clear()
    assert vc.settings().data_source == "offline"


def test_default_profile_on_a_cpu_or_in_ci(fresh_settings):
    fresh_settings.setattr(torch.cuda, "is_available", lambda: False)
    assert vc.settings().profile == "quick"
    vc.settings.cache_clear()
    fresh_settings.setattr(torch.cuda, "is_available", lambda: True)
    fresh_settings.setenv("CI", "true")
    assert vc.settings().profile == "quick"
    vc.settings.cache_clear()
    fresh_settings.delenv("CI")
    assert vc.settings().profile == "full"


def test_unknown_profile(fresh_settings):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "medium")
    with pytest.raises(ValueError) as excinfo:
        vc.settings()
    assert "medium" in str(excinfo.value) and "quick" in str(excinfo.value)


PUBLIC = [
    "reparameterize",
    "gaussian_kl",
    "bernoulli_log_likelihood",
    "gaussian_log_likelihood",
    "log_likelihood",
    "elbo",
    "elbo_from_outputs",
    "ELBO",
    "iwae_bound",
    "log_normal_diag",
    "score_function_grad",
    "reparam_grad",
    "z_squared_grad_variance",
    "inverse_cdf_sample",
    "normal_icdf",
    "exponential_icdf",
    "logistic_icdf",
    "gumbel_icdf",
    "laplace_icdf",
    "cauchy_icdf",
    "kumaraswamy_icdf",
    "LinearGaussianModel",
    "grid_log_marginal",
    "MLPVAE",
    "ConvVAE",
    "load_mnist",
    "MNIST",
    "DataError",
    "train",
    "evaluate",
    "History",
    "save_checkpoint",
    "load_checkpoint",
    "generate",
    "embed",
    "reconstruct",
    "interpolate",
    "latent_grid",
    "active_units",
    "probe_accuracy",
    "show_images",
    "plot_history",
    "plot_latent_scatter",
    "plot_image_grid",
    "show_source",
    "device",
    "seed_everything",
    "settings",
    "Settings",
]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_importable_and_documented(name):
    obj = getattr(vc, name)
    assert obj.__doc__ and obj.__doc__.strip(), f"vc.{name} has no docstring"


def test_data_error_is_an_exception():
    assert issubclass(vc.DataError, Exception)


def test_show_source_outside_a_notebook(capsys):
    """Shows the package's own source of a function (as text when IPython display is unavailable)."""
    result = vc.show_source(vc.gaussian_kl)
    out = capsys.readouterr().out
    text = out + (
        str(result.data) if hasattr(result, "data") else str(result or "")
    )
    assert "def gaussian_kl" in text
