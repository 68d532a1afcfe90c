"""Saving and loading trained models (chapter 4): state dicts only.

A checkpoint is a plain dict of tensors and simple values, so loading it
never runs pickled code: ``torch.load(path, weights_only=True)`` refuses
anything else. It carries a format version (``FORMAT_VERSION``), the
model's class and configuration, the weights' dtype and your metadata.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from .autoencoder import Autoencoder
from .models import MLPVAE, ConvVAE

MODEL_CLASSES = {
    "MLPVAE": MLPVAE,
    "ConvVAE": ConvVAE,
    "Autoencoder": Autoencoder,
}
# 2: encoder and decoder are modules (state-dict keys encoder.*, decoder.*)
FORMAT_VERSION = 2
DTYPES = {"float32": torch.float32, "float64": torch.float64}
KEYS = {"format_version", "model_class", "config", "state_dict"}


def _check_simple(name: str, value) -> None:
    """Values ``torch.load(weights_only=True)`` reads back: TypeError else."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_simple(f"{name}[{i}]", item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"metadata {name} has a key {key!r}: keys must be str"
                )
            _check_simple(f"{name}[{key!r}]", item)
        return
    if isinstance(value, torch.Tensor):
        return
    raise TypeError(
        f"metadata {name} is a {type(value).__name__}; a checkpoint holds "
        "numbers, strings, None, tensors, and lists/dicts of them "
        "(convert it, e.g. float(value) or str(value))"
    )


def save_checkpoint(
    model: torch.nn.Module, path: str | os.PathLike, **metadata
) -> Path:
    """Write the model's class, config, weights and ``metadata`` to ``path``.

    ``metadata`` holds simple values (numbers, strings, lists, dicts,
    tensors), e.g. the epoch or the test ELBO; anything else is refused
    here, so that :func:`load_checkpoint` can always read the file back.
    Returns the path.
    """
    if type(model) not in MODEL_CLASSES.values():
        raise TypeError(
            "save_checkpoint saves the package's models "
            f"({', '.join(MODEL_CLASSES)}), got "
            f"{type(model).__name__}; for your own model use "
            "torch.save(model.state_dict(), path)"
        )
    for name, value in metadata.items():
        _check_simple(name, value)
    dtype = next(model.parameters()).dtype
    if dtype not in DTYPES.values():
        raise TypeError(f"model weights have dtype {dtype}; use float32/64")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    checkpoint = {
        "format_version": FORMAT_VERSION,
        "model_class": type(model).__name__,
        "config": dict(model.config),
        "dtype": str(dtype).removeprefix("torch."),
        "state_dict": state,
        "metadata": dict(metadata),
    }
    torch.save(checkpoint, path)
    return path


def _read(path: Path, map_location) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {path}")
    try:
        checkpoint = torch.load(
            path, map_location=map_location, weights_only=True
        )
    except Exception as exc:
        raise ValueError(
            f"{path.name} is not a readable vae_course checkpoint "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(checkpoint, dict) or not set(checkpoint) >= KEYS:
        raise ValueError(
            f"{path.name} is not a vae_course checkpoint of format "
            f"{FORMAT_VERSION}: expected the keys {sorted(KEYS)}"
        )
    version = checkpoint["format_version"]
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path.name} has checkpoint format {version!r}, but this "
            f"vae_course reads format {FORMAT_VERSION}; load it with the "
            "vae_course version that wrote it"
        )
    return checkpoint


def _check_fits(model, checkpoint: dict, name: str) -> None:
    """Refuse a model of another class, likelihood or shape, naming it."""
    saved_class = checkpoint["model_class"]
    if type(model).__name__ != saved_class:
        raise ValueError(
            f"{name} holds a {saved_class} but model is a "
            f"{type(model).__name__}"
        )
    config = getattr(model, "config", {})
    for key, saved in checkpoint["config"].items():
        if key in config and config[key] != saved:
            raise ValueError(
                f"{name} was saved with {key}={saved!r} but model has "
                f"{key}={config[key]!r}"
            )
    own = model.state_dict()
    for key, tensor in checkpoint["state_dict"].items():
        if key in own and own[key].shape != tensor.shape:
            raise ValueError(
                f"{name} has {key} of shape {list(tensor.shape)} but model "
                f"has {list(own[key].shape)}"
            )


def load_checkpoint(
    path: str | os.PathLike,
    model: torch.nn.Module | None = None,
    map_location="cpu",
):
    """Load a checkpoint written by :func:`save_checkpoint`.

    Args:
        path: the file.
        model: a model to load the weights into (it must have the saved
            class, likelihood and sizes); ``None`` builds one from the saved
            class, config and dtype.
        map_location: where the tensors go (default CPU; move the model
            with ``.to(device)``).

    Returns:
        ``(model, metadata)``.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a checkpoint, a format version this package does
            not know, or a ``model`` that differs from the saved one (the
            message names the difference).
    """
    path = Path(path)
    checkpoint = _read(path, map_location)
    if model is None:
        cls = MODEL_CLASSES.get(checkpoint["model_class"])
        if cls is None:
            raise ValueError(
                f"unknown model class {checkpoint['model_class']!r}"
            )
        model = cls(**checkpoint["config"])
        model.to(DTYPES[checkpoint.get("dtype", "float32")])
    _check_fits(model, checkpoint, path.name)
    model.load_state_dict(checkpoint["state_dict"])
    return model, checkpoint.get("metadata", {})
