"""vc.save_checkpoint / vc.load_checkpoint (chapter 4): state dicts, loaded
with weights_only=True."""

from __future__ import annotations

import pickle

import pytest
import torch
from conftest import assert_message, gen

import vae_course as vc


@pytest.mark.parametrize(
    "make",
    [
        lambda: vc.MLPVAE(latent_dim=3, hidden_dim=32),
        lambda: vc.ConvVAE(latent_dim=3, likelihood="gaussian"),
    ],
    ids=["MLPVAE", "ConvVAE"],
)
def test_round_trip_into_a_fresh_model(tmp_path, make):
    torch.manual_seed(0)
    model = make()
    path = vc.save_checkpoint(
        model,
        tmp_path / "sub" / "model.pt",
        epoch=3,
        test_elbo=-101.5,
        note="demo",
    )
    assert path.exists()
    torch.manual_seed(1)
    fresh = make()
    loaded, metadata = vc.load_checkpoint(path, model=fresh)
    assert loaded is fresh
    assert metadata == {"epoch": 3, "test_elbo": -101.5, "note": "demo"}
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    x = torch.rand(2, 1, 28, 28, generator=gen(1))
    torch.testing.assert_close(
        loaded(x, generator=gen(2))[0], model(x, generator=gen(2))[0]
    )


def test_load_rebuilds_the_model_from_its_config(tmp_path):
    model = vc.MLPVAE(latent_dim=5, hidden_dim=16, likelihood="gaussian")
    vc.save_checkpoint(model, tmp_path / "m.pt")
    loaded, metadata = vc.load_checkpoint(tmp_path / "m.pt")
    assert type(loaded) is vc.MLPVAE
    assert loaded.latent_dim == 5 and loaded.likelihood.name == "gaussian"
    assert metadata == {}


def test_file_is_readable_with_weights_only(tmp_path):
    vc.save_checkpoint(
        vc.MLPVAE(latent_dim=2, hidden_dim=8), tmp_path / "m.pt", epoch=1
    )
    checkpoint = torch.load(tmp_path / "m.pt", weights_only=True)
    assert isinstance(checkpoint, dict)


class Payload:
    """Any class: weights_only=True refuses to unpickle it."""


def test_refuses_a_pickled_object(tmp_path):
    """A checkpoint holding arbitrary pickled objects is not loaded
    (weights_only=True)."""
    path = tmp_path / "evil.pt"
    torch.save(
        {
            "model_class": "MLPVAE",
            "config": {},
            "state_dict": {},
            "payload": Payload(),
        },
        path,
        pickle_module=pickle,
    )
    with pytest.raises(ValueError) as excinfo:
        vc.load_checkpoint(path)
    assert "evil.pt" in str(excinfo.value)


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        vc.load_checkpoint(tmp_path / "nope.pt")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="state_dict"):
        vc.load_checkpoint(tmp_path / "other.pt")
    (tmp_path / "garbage.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError):
        vc.load_checkpoint(tmp_path / "garbage.pt")


def test_loading_into_the_wrong_architecture_fails_loudly(tmp_path):
    vc.save_checkpoint(
        vc.MLPVAE(latent_dim=2, hidden_dim=8), tmp_path / "m.pt"
    )
    with pytest.raises(ValueError) as excinfo:
        vc.load_checkpoint(
            tmp_path / "m.pt", model=vc.MLPVAE(latent_dim=3, hidden_dim=8)
        )
    assert_message(excinfo, "latent_dim=2", "latent_dim=3")


def test_saved_tensors_are_on_the_cpu(tmp_path):
    model = vc.MLPVAE(latent_dim=2, hidden_dim=8)
    vc.save_checkpoint(model, tmp_path / "m.pt")
    state = torch.load(tmp_path / "m.pt", weights_only=True)["state_dict"]
    assert all(t.device.type == "cpu" for t in state.values())


# ------------------------------------------ format version and model mismatch
def test_checkpoint_carries_its_format_version(tmp_path):
    vc.save_checkpoint(vc.MLPVAE(2, 8), tmp_path / "m.pt")
    checkpoint = torch.load(tmp_path / "m.pt", weights_only=True)
    assert checkpoint["format_version"] == vc.checkpoints.FORMAT_VERSION == 2


@pytest.mark.parametrize("version", [1, 3, 0, "2", None])
def test_unknown_format_versions_are_refused(tmp_path, version):
    vc.save_checkpoint(vc.MLPVAE(2, 8), tmp_path / "m.pt")
    checkpoint = torch.load(tmp_path / "m.pt", weights_only=True)
    checkpoint["format_version"] = version
    torch.save(checkpoint, tmp_path / "m.pt")
    with pytest.raises(ValueError) as excinfo:
        vc.load_checkpoint(tmp_path / "m.pt")
    assert_message(excinfo, "m.pt", "format", repr(version))


def test_a_checkpoint_without_a_version_is_refused(tmp_path):
    vc.save_checkpoint(vc.MLPVAE(2, 8), tmp_path / "m.pt")
    checkpoint = torch.load(tmp_path / "m.pt", weights_only=True)
    del checkpoint["format_version"]
    torch.save(checkpoint, tmp_path / "m.pt")
    with pytest.raises(ValueError) as excinfo:
        vc.load_checkpoint(tmp_path / "m.pt")
    assert_message(excinfo, "format_version")


@pytest.mark.parametrize(
    "saved,into,difference",
    [
        (
            lambda: vc.MLPVAE(2, 8),
            lambda: vc.MLPVAE(2, 8, likelihood="gaussian"),
            ["likelihood='bernoulli'", "likelihood='gaussian'"],
        ),
        (
            lambda: vc.MLPVAE(2, 8),
            lambda: vc.MLPVAE(2, 16),
            ["hidden_dim=8", "hidden_dim=16"],
        ),
        (
            lambda: vc.MLPVAE(2, 8),
            lambda: vc.ConvVAE(2),
            ["MLPVAE", "ConvVAE"],
        ),
    ],
    ids=["likelihood", "hidden_dim", "class"],
)
def test_loading_into_another_model_names_the_difference(
    tmp_path, saved, into, difference
):
    vc.save_checkpoint(saved(), tmp_path / "m.pt")
    with pytest.raises(ValueError) as excinfo:
        vc.load_checkpoint(tmp_path / "m.pt", model=into())
    assert_message(excinfo, *difference)


def test_float64_models_come_back_as_float64(tmp_path):
    model = vc.ConvVAE(2).double()
    vc.save_checkpoint(model, tmp_path / "m.pt")
    loaded, _ = vc.load_checkpoint(tmp_path / "m.pt")
    assert next(loaded.parameters()).dtype == torch.float64
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key


def test_whatever_save_accepts_load_reads_back(tmp_path):
    metadata = {
        "epoch": 3,
        "history": {"test_elbo": [-120.5, -110.25], "note": None},
        "flags": (True, False),
        "z": torch.arange(3.0),
    }
    vc.save_checkpoint(vc.MLPVAE(2, 8), tmp_path / "m.pt", **metadata)
    _, loaded = vc.load_checkpoint(tmp_path / "m.pt")
    assert loaded["history"] == metadata["history"]
    assert tuple(loaded["flags"]) == (True, False)
    assert torch.equal(loaded["z"], metadata["z"])


@pytest.mark.parametrize(
    "value,name",
    [
        (object(), "object"),
        (pickle, "module"),
        ({"path": __import__("pathlib").Path(".")}, "PosixPath"),
        ([1, {2: 3}], "key"),
    ],
    ids=["object", "module", "nested path", "int key"],
)
def test_save_refuses_metadata_load_could_not_read(tmp_path, value, name):
    with pytest.raises(TypeError) as excinfo:
        vc.save_checkpoint(vc.MLPVAE(2, 8), tmp_path / "m.pt", extra=value)
    assert_message(excinfo, "extra", name)
    assert not (tmp_path / "m.pt").exists()


def test_save_refuses_models_load_could_not_rebuild(tmp_path):
    class Mine(vc.MLPVAE):
        pass

    with pytest.raises(TypeError) as excinfo:
        vc.save_checkpoint(Mine(2, 8), tmp_path / "m.pt")
    assert_message(excinfo, "Mine", "state_dict")


def test_an_autoencoder_round_trips(tmp_path):
    ae = vc.Autoencoder(code_dim=3, hidden_dim=8)
    vc.save_checkpoint(ae, tmp_path / "ae.pt", epochs=2)
    loaded, metadata = vc.load_checkpoint(tmp_path / "ae.pt")
    assert type(loaded) is vc.Autoencoder and loaded.code_dim == 3
    assert metadata == {"epochs": 2}
    x = torch.rand(2, 1, 28, 28, generator=gen(3))
    torch.testing.assert_close(loaded.encode(x), ae.encode(x))
