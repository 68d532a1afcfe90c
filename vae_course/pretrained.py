"""Models trained ahead of time for the book's figures (chapters 4-5).

The quick profile trains a few epochs on 4,000 digits: enough to teach the
loop, not enough for figures that show what a VAE can do. The checkpoints
here were made by ``tools/train_checkpoints.py`` on the same offline digits,
longer and with early stopping on 400 held-out training digits; each
carries its provenance (data, epochs, seed, date, seconds, the command that
remakes it) and its measured test ELBO and sample quality, and
:func:`load_pretrained` prints them. A checkpoint is an artifact to remake,
not a result to trust: ``tests/test_pretrained.py`` re-trains a short run
with the same script and checks it lands where the stored one did.
"""

from __future__ import annotations

from pathlib import Path

from .checkpoints import load_checkpoint
from .training import History

_DIR = Path(__file__).parent / "weights"

#: name -> what tools/train_checkpoints.py trains (``max_epochs``: the cap
#: before early stopping); :func:`load_pretrained` loads them by name.
PRETRAINED = {
    "mlp_k20": {
        "model_class": "MLPVAE",
        "config": {"latent_dim": 20},
        "beta": 1.0,
        "max_epochs": 60,
        "used_by": "chapter 5 (generation, embedding, tours)",
    },
    "mlp_k2": {
        "model_class": "MLPVAE",
        "config": {"latent_dim": 2},
        "beta": 1.0,
        "max_epochs": 60,
        "used_by": "chapters 1 (codes and holes), 5 (the 2-D manifold, the "
        "grid posterior)",
    },
    # mlp_k2's layers without the KL term and the noise: a plain autoencoder
    # (vc.ReconstructionObjective), stopped on the held-out reconstruction
    "ae_k2": {
        "model_class": "Autoencoder",
        "config": {"code_dim": 2},
        "objective": "reconstruction",
        "max_epochs": 60,
        "used_by": "chapter 1 (codes and holes)",
    },
    "conv_k10": {
        "model_class": "ConvVAE",
        "config": {"latent_dim": 10},
        "beta": 1.0,
        "max_epochs": 150,
        "patience": 15,
        "augment_shift": 1,
        "used_by": "chapter 4 (reconstructions, new digits, traversals)",
    },
}
# chapter 4's beta sweep: MLPVAE(k = 20, 200 hidden units), the same
# initial weights and batches for every beta
for _beta, _train in (
    ("0.5", {}),
    ("1", {}),
    ("4", {}),
    ("16", {}),
    ("16_free_bits", {"free_bits": 0.5}),
    ("16_warmup", {"kl_warmup_epochs": 4}),
    ("784", {}),
):
    PRETRAINED[f"sweep_beta{_beta}"] = {
        "model_class": "MLPVAE",
        "config": {"latent_dim": 20, "hidden_dim": 200},
        "beta": float(_beta.split("_")[0]),
        "train": _train,
        "max_epochs": 100,
        "patience": 10,
        "used_by": "chapter 4 (beta sweep, free bits, warm-up, traversals)",
    }
del _beta, _train


def _available() -> list[str]:
    """Names of the checkpoints shipped with this copy of the package."""
    return sorted(p.stem for p in _DIR.glob("*.pt"))


def _describe(metadata: dict) -> str:
    """The provenance lines :func:`load_pretrained` prints (<= 79 wide)."""
    m = metadata
    data = "the offline digits" if "offline" in m["data"] else m["data"]
    objective = (
        f"beta = {m['beta']:g}"
        if "beta" in m
        else "reconstruction only (no KL)"
    )
    return (
        f"Pretrained {m['name']}: trained {m['date']} UTC on {data},\n"
        f"  {m['train_images']:,} images ({m['held_out_images']} more held "
        f"out for early stopping), {m['epochs']} epochs\n"
        f"  (best: {m['best_epoch']}), {objective}, seed "
        f"{m['seed']}; remake it with:\n  {m['command']}"
    )


def load_pretrained(name: str, verbose: bool = True):
    """Load a model trained by ``tools/train_checkpoints.py``.

    Args:
        name: one of :data:`PRETRAINED` (``"mlp_k20"``, ``"conv_k10"``,
            ``"sweep_beta16"``, ...).
        verbose: print the provenance (data, epochs, seed, date, command).

    Returns:
        ``(model, metadata)``: the model in float32 on the CPU, in eval
        mode; ``metadata`` holds the provenance and the test ELBO parts in
        nats per image (``test_elbo``, ``test_reconstruction``,
        ``test_kl``) and ``prior_sample_quality`` (share of 2,000 prior
        samples that :func:`~vae_course.quality.sample_quality` recognises).

    Raises:
        ValueError: an unknown name (the message lists the known ones).
        FileNotFoundError: a known name whose file is not shipped (run the
            command in the message to make it).
    """
    if name not in PRETRAINED:
        raise ValueError(
            f"unknown pretrained model {name!r}; choose one of "
            f"{sorted(PRETRAINED)}"
        )
    path = _DIR / f"{name}.pt"
    if not path.is_file():
        raise FileNotFoundError(
            f"the checkpoint {name!r} is not in this copy of vae_course; "
            f"make it with: python tools/train_checkpoints.py --only {name}"
        )
    model, metadata = load_checkpoint(path)
    model.eval()
    if verbose:
        print(_describe(metadata))
    return model, metadata


def pretrained_history(metadata: dict) -> History:
    """The training run of a checkpoint as a
    :class:`~vae_course.training.History`, for ``vc.plot_history``.

    Per epoch: ``train_elbo``, ``train_reconstruction``, ``train_kl`` (means
    over the epoch's batches, nats per image, on the training images as
    trained: shifted ones where the spec augments) and ``test_elbo``,
    ``test_reconstruction``, ``test_kl`` measured after the epoch on the
    400 *held-out training digits* that early stopping watched (not the
    test digits). The stored weights are those of epoch
    ``metadata["best_epoch"]``, not of the last epoch.

    Args:
        metadata: the second value :func:`load_pretrained` returns.

    Raises:
        ValueError: metadata without a per-epoch record (the checkpoints
            ``mlp_k20`` and ``mlp_k2`` keep only the held-out ELBO).
    """
    columns = metadata.get("history") if isinstance(metadata, dict) else None
    if not columns:
        name = metadata.get("name") if isinstance(metadata, dict) else None
        raise ValueError(
            f"the checkpoint {name!r} holds no per-epoch history (only "
            "held_out_elbo_per_epoch); expected the metadata of one made "
            "by tools/train_checkpoints.py with a 'history' record"
        )
    history = History()
    for epoch in range(len(columns["train_elbo"])):
        history.record(
            epoch=epoch + 1,
            **{
                key.replace("held_out_", "test_"): values[epoch]
                for key, values in columns.items()
            },
        )
    return history
