"""The switches, read in one place, that decide how much work the chapters do.

``VAE_COURSE_PROFILE=quick`` (CI, a laptop CPU): the offline sample of real
MNIST digits and a few epochs, so a chapter runs in under a minute on two
cores. ``VAE_COURSE_PROFILE=full`` (Colab on a GPU): the 60,000 MNIST
training images and more epochs. Unset: ``full`` when a CUDA GPU is present
and ``CI`` is not set, otherwise ``quick``.

``VAE_COURSE_OFFLINE=1`` (or ``true``, ``yes``, ``on``; ``0``, ``false``,
``no``, ``off`` or unset for the opposite) makes
:func:`vae_course.data.load_mnist` use the offline sample instead of
downloading MNIST (``quick`` always does).
Any other value of either variable is an error that names it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import torch

PROFILES = ("quick", "full")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    profile: str
    epochs: int
    sweep_epochs: int
    data_source: str  # "auto" or "offline"

    def describe(self) -> str:
        """The profile and what it sets, in two lines for the book's column."""
        data = (
            "offline sample of real MNIST digits"
            if self.data_source == "offline"
            else "real MNIST if available (else the offline sample)"
        )
        other = "full" if self.profile == "quick" else "quick"
        return (
            f"Profile '{self.profile}': {data}\n"
            f"{self.epochs} epochs a model ({self.sweep_epochs} in sweeps); "
            f"VAE_COURSE_PROFILE={other} changes this"
        )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def offline() -> bool:
    """Whether ``VAE_COURSE_OFFLINE`` asks for the offline data.

    The one place that reads the variable.

    Raises:
        ValueError: a value that is neither a yes nor a no word.
    """
    value = os.environ.get("VAE_COURSE_OFFLINE", "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(
        f"VAE_COURSE_OFFLINE must be one of {TRUE_WORDS} (offline data) or "
        f"{FALSE_WORDS[1:]} (unset: the same), got {value!r}"
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The run's settings, read once from the environment (module docstring).

    Raises:
        ValueError: ``VAE_COURSE_PROFILE`` or ``VAE_COURSE_OFFLINE`` holds a
            value they do not know.
    """
    profile = os.environ.get("VAE_COURSE_PROFILE", "").strip().lower()
    if not profile:
        profile = (
            "full"
            if torch.cuda.is_available() and not _truthy(os.environ.get("CI"))
            else "quick"
        )
    if profile not in PROFILES:
        raise ValueError(
            f"VAE_COURSE_PROFILE must be one of {PROFILES} (or unset), "
            f"got {profile!r}"
        )
    use_offline = offline()
    if profile == "quick":
        return Settings(
            "quick", epochs=15, sweep_epochs=8, data_source="offline"
        )
    return Settings(
        "full",
        epochs=30,
        sweep_epochs=15,
        data_source="offline" if use_offline else "auto",
    )
