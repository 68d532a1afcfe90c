"""Plot helpers (chapters 4 and 5): each returns a titled, labelled matplotlib
Figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from conftest import gen  # noqa: E402

import vae_course as vc  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labelled(fig):
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert axes
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel()
    assert any(ax.get_title() for ax in axes) or (
        fig._suptitle is not None and fig._suptitle.get_text()
    )


def test_show_images():
    images = torch.rand(12, 1, 28, 28, generator=gen(1))
    fig = vc.show_images(images, nrow=6, title="samples")
    assert isinstance(fig, matplotlib.figure.Figure)
    labelled(fig)
    assert fig.axes[0].get_title() == "samples"
    # the tiled grid holds every pixel: 2 rows x 6 columns of 28x28 with
    # padding
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (2 * 30 + 2, 6 * 30 + 2)


def test_show_images_on_given_axes():
    fig, ax = plt.subplots()
    assert (
        vc.show_images(torch.rand(3, 784, generator=gen(2)), ax=ax, title="t")
        is fig
    )


def test_plot_history():
    history = vc.History()
    for epoch in (1, 2, 3):
        history.record(epoch=epoch)
        for split in ("train", "test"):
            history.record(
                **{
                    f"{split}_reconstruction": -100.0 + epoch,
                    f"{split}_kl": 10.0,
                    f"{split}_elbo": -110.0 + epoch,
                }
            )
    fig = vc.plot_history(history, title="run")
    labelled(fig)
    assert len(fig.axes) == 3
    # plotted as positive losses in nats: -ELBO goes 109, 108, 107
    lines = fig.axes[2].get_lines()
    assert list(lines[0].get_ydata()) == [109.0, 108.0, 107.0]


def test_plot_history_shows_the_parts_the_objective_reported():
    """An autoencoder's history has a reconstruction and nothing else."""
    history = vc.History()
    for epoch in (1, 2):
        history.record(epoch=epoch, train_reconstruction=-90.0 - epoch)
    fig = vc.plot_history(history)
    labelled(fig)
    assert len(fig.axes) == 1
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [91.0, 92.0]


def test_plot_latent_scatter():
    z = torch.randn(50, 2, generator=gen(3))
    fig = vc.plot_latent_scatter(z, torch.arange(50) % 10, title="latent")
    labelled(fig)


def test_plot_image_grid():
    fig = vc.plot_image_grid(
        torch.rand(16, 1, 28, 28, generator=gen(4)), 4, "manifold"
    )
    labelled(fig)
    assert fig.axes[0].images[0].get_array().shape == (112, 112)


def test_bad_image_shape():
    with pytest.raises(ValueError, match=r"\[n, 1, 28, 28\]"):
        vc.show_images(torch.rand(2, 5))
