"""Figures the chapters share (matplotlib): images, loss curves, latents.

Every function draws a titled, labelled figure and returns it; call
``plt.show()`` in a notebook.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from ._checks import require_nonnegative_int, require_positive_int


def _to_numpy_images(images) -> np.ndarray:
    if isinstance(images, torch.Tensor):
        images = images.detach().float().cpu().numpy()
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    elif images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(
            "images must have shape [n, 1, 28, 28], [n, 28, 28] or [n, 784] "
            f"with n >= 1, got {list(images.shape)}"
        )
    return images


def image_grid(images, nrow: int = 10, pad: int = 2) -> np.ndarray:
    """Tile ``[n, 1, H, W]`` images into one 2-D array, ``nrow`` per row."""
    require_positive_int("nrow", nrow)
    require_nonnegative_int("pad", pad)
    images = _to_numpy_images(images)
    n, h, w = images.shape
    ncol = min(nrow, n)
    rows = math.ceil(n / ncol)
    grid = np.ones(
        (rows * (h + pad) + pad, ncol * (w + pad) + pad), dtype=np.float32
    )
    for i, img in enumerate(images):
        r, c = divmod(i, ncol)
        grid[
            pad + r * (h + pad) : pad + r * (h + pad) + h,
            pad + c * (w + pad) : pad + c * (w + pad) + w,
        ] = img
    return grid


def show_images(
    images,
    nrow: int = 10,
    title: str | None = None,
    ax=None,
    vmin: float = 0.0,
    vmax: float = 1.0,
):
    """Show images as a grid and return the Figure.

    Pixels in [vmin, vmax]; digits in white on black.
    """
    fig = None
    if ax is None:
        n = len(_to_numpy_images(images))
        ncol = min(nrow, n)
        fig, ax = plt.subplots(
            figsize=(
                min(10, 0.8 * ncol + 0.6),
                0.8 * math.ceil(n / ncol) + 0.7,
            )
        )
    ax.imshow(
        image_grid(images, nrow),
        cmap="gray",
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("image (columns)")
    ax.set_ylabel("image (rows)")
    if title:
        ax.set_title(title)
    return fig if fig is not None else ax.figure


def plot_history(history, title: str | None = None):
    """Loss curves of a :class:`~vae_course.training.History`.

    One panel per part the objective reported, train and test, per
    epoch: -reconstruction, KL and -ELBO for the ELBO (the reconstruction
    alone for an autoencoder), each as a positive loss in nats.
    """
    epochs = history.epoch
    known = {
        "reconstruction": ("negative reconstruction  -E[log p(x|z)]", -1),
        "kl": ("KL(q(z|x) || p(z))", 1),
        "elbo": ("negative ELBO (loss, beta=1)", -1),
    }
    columns = history.as_dict()
    parts = [p for p in known if f"train_{p}" in columns]
    parts += [
        c.removeprefix("train_")
        for c in columns
        if c.startswith("train_") and c != "train_loss"
        if c.removeprefix("train_") not in known
    ]
    fig, axes = plt.subplots(
        1, len(parts), figsize=(10 / 3 * len(parts), 3.2), squeeze=False
    )
    panels = [
        (
            *known.get(part, (part, 1)),
            columns[f"train_{part}"],
            columns.get(f"test_{part}", []),
        )
        for part in parts
    ]
    for ax, (name, sign, train, test) in zip(axes[0], panels, strict=True):
        ax.plot(epochs, [sign * v for v in train], label="train", marker=".")
        if test:
            ax.plot(epochs, [sign * v for v in test], label="test", marker=".")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per image")
        ax.legend(fontsize=8)
    fig.suptitle(title or "Training curves")
    fig.tight_layout()
    return fig


def plot_latent_scatter(
    z, labels, title: str | None = None, dims: tuple[int, int] = (0, 1)
):
    """2-D scatter of latent codes coloured by digit label."""
    z = (
        z.detach().cpu().numpy()
        if isinstance(z, torch.Tensor)
        else np.asarray(z)
    )
    labels = (
        labels.detach().cpu().numpy()
        if isinstance(labels, torch.Tensor)
        else np.asarray(labels)
    )
    if z.ndim != 2 or z.shape[1] < 2 or z.shape[0] == 0:
        raise ValueError(
            "z must have shape [n, k] with n >= 1 and k >= 2, "
            f"got {list(z.shape)}"
        )
    if labels.shape != (z.shape[0],):
        raise ValueError(
            f"labels must have shape [{z.shape[0]}] (one per code), "
            f"got {list(labels.shape)}"
        )
    fig, ax = plt.subplots(figsize=(6, 5))
    points = ax.scatter(
        z[:, dims[0]],
        z[:, dims[1]],
        c=labels,
        cmap="tab10",
        s=6,
        vmin=-0.5,
        vmax=9.5,
    )
    fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set_xlabel(f"z_{dims[0] + 1}")
    ax.set_ylabel(f"z_{dims[1] + 1}")
    ax.set_title(title or "Test images in latent space (posterior means)")
    return fig


def plot_image_grid(
    images,
    n: int,
    title: str | None = None,
    extent: tuple[float, float] | None = None,
):
    """An ``n x n`` grid of decoded images.

    For example the 2-D latent manifold of
    :func:`~vae_course.inference.latent_grid`.
    """
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(image_grid(images, nrow=n, pad=0), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("z_1 (inverse normal CDF of a uniform grid), low to high")
    ax.set_ylabel("z_2, high (top) to low (bottom)")
    ax.set_title(title or "The learned 2-D latent manifold")
    return fig
