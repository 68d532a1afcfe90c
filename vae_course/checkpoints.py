"""Saving and loading trained models (chapter 4): state dicts only, loaded with ``weights_only=True``.

A checkpoint is a plain dict of tensors and simple values, so loading it never runs pickled code:
``torch.load(path, weights_only=True)`` refuses anything else.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from .models import ConvVAE, MLPVAE

MODEL_CLASSES = {"MLPVAE": MLPVAE, "ConvVAE": ConvVAE}


def save_checkpoint(
    model: torch.nn.Module, path: str | os.PathLike, **metadata
) -> Path:
    """Write ``{"model_class", "config", "state_dict", "metadata"}`` to ``path`` and return the path.

    ``metadata`` holds simple values (numbers, strings, lists), e.g. the epoch or the test ELBO.
    """
    config = getattr(model, "config", None)
    if not isinstance(config, dict):
        raise TypeError(
            f"save_checkpoint needs a vae_course model with a .config dict, got {type(model).__name__}"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save(
        {
            "model_class": type(model).__name__,
            "config": dict(config),
            "state_dict": state,
            "metadata": dict(metadata),
        },
        path,
    )
    return path


def load_checkpoint(
    path: str | os.PathLike,
    model: torch.nn.Module | None = None,
    map_location="cpu",
):
    """Load a checkpoint written by :func:`save_checkpoint`.

    Args:
        path: the file.
        model: a model to load the weights into; ``None`` builds one from the saved class and config.
        map_location: where the tensors go (default CPU; move the model with ``.to(device)``).

    Returns:
        ``(model, metadata)``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {path}")
    try:
        checkpoint = torch.load(
            path, map_location=map_location, weights_only=True
        )
    except Exception as exc:
        raise ValueError(
            f"{path.name} is not a readable vae_course checkpoint ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(checkpoint, dict) or not {
        "model_class",
        "config",
        "state_dict",
    } <= set(checkpoint):
        raise ValueError(
            f"{path.name} is not a vae_course checkpoint: expected keys model_class, config, state_dict"
        )
    if model is None:
        cls = MODEL_CLASSES.get(checkpoint["model_class"])
        if cls is None:
            raise ValueError(
                f"unknown model class {checkpoint['model_class']!r}; pass model=... to load into your own"
            )
        model = cls(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return model, checkpoint.get("metadata", {})
