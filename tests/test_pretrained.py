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
    "seed",
    "seconds",
    "date",
    "torch",
    "command",
    "prior_sample_quality",
)


def test_every_planned_checkpoint_is_shipped_and_small():
    assert sorted(pretrained.PRETRAINED) == SHIPPED
    sizes = {
        name: (pretrained._DIR / f"{name}.pt").stat().st_size
        for name in SHIPPED
    }
    assert max(sizes.values()) < 2 * 2**20, sizes
    assert sum(sizes.values()) < 10 * 2**20, sizes  # the package stays small


@pytest.mark.parametrize("name", SHIPPED)
def test_loads_with_provenance_and_measures_what_it_says(name, capsys):
    model, metadata = vc.load_pretrained(name)
    printed = capsys.readouterr().out
    assert f"Pretrained {name}" in printed
    assert metadata["command"] in printed and "seed 0" in printed
    assert set(PROVENANCE) <= set(metadata)
    spec = pretrained.PRETRAINED[name]
    assert type(model).__name__ == spec["model_class"]
    assert next(model.parameters()).dtype == torch.float32
    assert not model.training
    test = data().test_images
    if isinstance(model, vc.Autoencoder):
        # an autoencoder: the reconstruction term alone, and no beta
        assert "reconstruction only" in printed and "beta" not in metadata
        curve = metadata["held_out_reconstruction_per_epoch"]
        with torch.no_grad():
            _, parts = vc.ReconstructionObjective()(model, test)
        measured = parts["reconstruction"].mean().item()
        assert abs(measured - metadata["test_reconstruction"]) < 0.5
    else:
        assert metadata["beta"] == spec["beta"]
        curve = metadata["held_out_elbo_per_epoch"]
        # the stored test ELBO is this model's (same noise as the script)
        parts = vc.evaluate(
            model, test, generator=torch.Generator().manual_seed(0)
        )
        assert abs(parts["elbo"] - metadata["test_elbo"]) < 0.5
    # the best epoch's weights were kept
    assert len(curve) == metadata["epochs"]
    assert curve[metadata["best_epoch"] - 1] == max(curve)


_data = []


def data():
    if not _data:
        _data.append(vc.load_mnist(source="offline", verbose=False))
    return _data[0]


# (checkpoint, epochs re-trained): the plain MLP and its autoencoder (the
# reconstruction term alone); the ConvVAE, trained on
# randomly shifted digits; the beta sweep's KL warm-up, whose schedule runs
# over the whole run although the script calls vc.train once per epoch
RERUNS = [
    ("mlp_k2", 2),
    ("ae_k2", 3),
    ("conv_k10", 1),
    ("sweep_beta16_warmup", 2),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "epochs"), RERUNS)
def test_a_short_rerun_lands_where_the_stored_run_did(name, epochs):
    """The first epochs of the script's own run reproduce the stored
    held-out ELBO of those epochs (to 0.5 nats: round-off of other CPUs)."""
    import train_checkpoints

    torch.set_num_threads(1)
    _, record = train_checkpoints.train_one(name, max_epochs=epochs)
    _, stored = vc.load_pretrained(name, verbose=False)
    key = (
        "held_out_elbo_per_epoch"
        if "beta" in stored
        else "held_out_reconstruction_per_epoch"
    )
    rerun = record[key]
    assert len(rerun) == epochs
    for got, want in zip(rerun, stored[key], strict=False):
        assert abs(got - want) < 0.5, (name, rerun, stored[key][:epochs])


def test_shifted_moves_each_image_by_at_most_the_shift():
    import train_checkpoints

    images = torch.zeros(500, 1, 28, 28)
    images[:, :, 10:18, 12:16] = torch.rand(500, 1, 8, 4)
    out = train_checkpoints.shifted(
        images, 1, torch.Generator().manual_seed(0)
    )
    assert out.shape == images.shape
    # the ink is kept (the digits lie away from the edge) ...
    assert torch.allclose(out.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)))
    # ... and each image is one of its 9 shifts by (dx, dy) in {-1, 0, 1}
    moves = set()
    for image, moved in zip(images, out, strict=True):
        found = [
            (dx, dy)
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            if torch.equal(moved, torch.roll(image, (dy, dx), dims=(1, 2)))
        ]
        assert len(found) == 1, found
        moves.add(found[0])
    assert len(moves) == 9  # every shift occurs


def test_pretrained_history_is_the_stored_run():
    _, metadata = vc.load_pretrained("conv_k10", verbose=False)
    history = vc.pretrained_history(metadata)
    assert len(history) == metadata["epochs"]
    assert history.test_elbo == metadata["held_out_elbo_per_epoch"]
    assert history.epoch == list(range(1, metadata["epochs"] + 1))
    for part in ("elbo", "reconstruction", "kl"):
        assert len(getattr(history, f"train_{part}")) == len(history)
    _, old = vc.load_pretrained("mlp_k2", verbose=False)
    with pytest.raises(ValueError) as excinfo:
        vc.pretrained_history(old)
    assert_message(excinfo, "'mlp_k2'", "per-epoch history")


def test_unknown_and_missing_names(tmp_path, monkeypatch):
    with pytest.raises(ValueError) as excinfo:
        vc.load_pretrained("mlp_k3")
    assert_message(excinfo, "mlp_k3", "mlp_k20")
    monkeypatch.setattr(pretrained, "_DIR", tmp_path)
    with pytest.raises(FileNotFoundError) as excinfo:
        vc.load_pretrained("mlp_k2")
    assert_message(excinfo, "tools/train_checkpoints.py --only mlp_k2")
