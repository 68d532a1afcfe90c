"""vc.save_checkpoint / vc.load_checkpoint (chapter 4): state dicts, loaded with weights_only=True."""

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
    assert loaded.latent_dim == 5 and loaded.likelihood == "gaussian"
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
    """A checkpoint holding arbitrary pickled objects is not loaded (weights_only=True)."""
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
