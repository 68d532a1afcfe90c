"""vc.load_pretrained and tools/train_checkpoints.py: the shipped checkpoints
load with their provenance, measure what they say, and can be remade."""

from __future__ import annotations

import pytest
import torch
from conftest import assert_message

import vae_course as vc
from vae_course import pretrained

SHIPPED = pretrained._available()
PROVENANCE = (
    "name",
    "data",
    "train_images",
    "held_out_images",
    "epochs",
    "best_epoch",
    "held_out_elbo_per_epoch",
    "seed",
    "seconds",
    "date",
    "torch",
    "command",
    "test_elbo",
    "prior_sample_quality",
)


def test_every_planned_checkpoint_is_shipped_and_small():
    assert sorted(pretrained.PRETRAINED) == SHIPPED
    for name in SHIPPED:
        size = (pretrained._DIR / f"{name}.pt").stat().st_size
        assert size < 2 * 2**20, (name, size)


@pytest.mark.parametrize("name", SHIPPED)
def test_loads_with_provenance_and_measures_what_it_says(name, capsys):
    model, metadata = vc.load_pretrained(name)
    printed = capsys.readouterr().out
    assert f"Pretrained {name}" in printed
    assert metadata["command"] in printed and "seed 0" in printed
    assert set(PROVENANCE) <= set(metadata)
    spec = pretrained.PRETRAINED[name]
    assert type(model).__name__ == spec["model_class"]
    assert metadata["beta"] == spec["beta"]
    assert next(model.parameters()).dtype == torch.float32
    assert not model.training
    # the best epoch's weights were kept
    curve = metadata["held_out_elbo_per_epoch"]
    assert len(curve) == metadata["epochs"]
    assert curve[metadata["best_epoch"] - 1] == max(curve)
    # the stored test ELBO is this model's (same noise as the script)
    parts = vc.evaluate(
        model, data().test_images, generator=torch.Generator().manual_seed(0)
    )
    assert abs(parts["elbo"] - metadata["test_elbo"]) < 0.5


_data = []


def data():
    if not _data:
        _data.append(vc.load_mnist(source="offline", verbose=False))
    return _data[0]


@pytest.mark.slow
def test_a_short_rerun_lands_where_the_stored_run_did():
    """Two epochs of the script's own run of mlp_k2 reproduce the stored
    held-out ELBO of those epochs (to 0.5 nats: round-off of other CPUs)."""
    import train_checkpoints

    torch.set_num_threads(1)
    _, record = train_checkpoints.train_one("mlp_k2", max_epochs=2)
    _, stored = vc.load_pretrained("mlp_k2", verbose=False)
    rerun = record["held_out_elbo_per_epoch"]
    assert len(rerun) == 2
    for got, want in zip(rerun, stored["held_out_elbo_per_epoch"][:2]):
        assert abs(got - want) < 0.5, (
            rerun,
            stored["held_out_elbo_per_epoch"],
        )


def test_unknown_and_missing_names(tmp_path, monkeypatch):
    with pytest.raises(ValueError) as excinfo:
        vc.load_pretrained("mlp_k3")
    assert_message(excinfo, "mlp_k3", "mlp_k20")
    monkeypatch.setattr(pretrained, "_DIR", tmp_path)
    with pytest.raises(FileNotFoundError) as excinfo:
        vc.load_pretrained("mlp_k2")
    assert_message(excinfo, "tools/train_checkpoints.py --only mlp_k2")
