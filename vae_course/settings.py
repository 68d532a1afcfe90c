"""One switch, read in one place, that decides how much work the training chapters do.

``VAE_COURSE_PROFILE=quick`` (CI, a laptop CPU): the offline sample of real MNIST digits and
a few epochs, so a chapter runs in under a minute on two cores (CI allows three).
``VAE_COURSE_PROFILE=full`` (Colab on a GPU): the 60,000 MNIST training images and more epochs.
Unset: ``full`` when a CUDA GPU is present and ``CI`` is not set, otherwise ``quick``.
``VAE_COURSE_OFFLINE=1`` makes ``full`` use the offline sample too (``quick`` always does).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import torch

PROFILES = ("quick", "full")


@dataclass(frozen=True)
class Settings:
    profile: str
    epochs: int
    sweep_epochs: int
    data_source: str  # "auto" or "offline"

    def describe(self) -> str:
        data = (
            "offline sample of real MNIST digits"
            if self.data_source == "offline"
            else "real MNIST if available (else the offline sample)"
        )
        other = "full" if self.profile == "quick" else "quick"
        return (
            f"Profile '{self.profile}': {data}, {self.epochs} epochs per model, "
            f"{self.sweep_epochs} per model in sweeps (set VAE_COURSE_PROFILE={other} to change)"
        )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The run's settings, read once from the environment (see the module docstring)."""
    profile = os.environ.get("VAE_COURSE_PROFILE", "").strip().lower()
    if not profile:
        profile = (
            "full"
            if torch.cuda.is_available() and not _truthy(os.environ.get("CI"))
            else "quick"
        )
    if profile not in PROFILES:
        raise ValueError(
            f"VAE_COURSE_PROFILE must be one of {PROFILES}, got {profile!r}"
        )
    offline = _truthy(os.environ.get("VAE_COURSE_OFFLINE"))
    if profile == "quick":
        return Settings(
            "quick", epochs=15, sweep_epochs=8, data_source="offline"
        )
    return Settings(
        "full",
        epochs=30,
        sweep_epochs=15,
        data_source="offline" if offline else "auto",
    )
