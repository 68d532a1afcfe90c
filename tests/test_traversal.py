"""Latent traversals of ``vae_course.traversal`` (chapter 4)."""

from __future__ import annotations

import pytest
import torch

import vae_course as vc


class OnlyFirstUnit(torch.nn.Module):
    """A decoder that ignores units 1 and 2 (they are collapsed)."""

    latent_dim = 3
    likelihood = vc.get_likelihood("bernoulli")

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.linspace(-1, 1, 784))

    def decoder(self, z):
        return (z[..., :1] * self.w).view(*z.shape[:-1], 1, 28, 28)


def test_each_row_moves_one_unit():
    model = vc.MLPVAE(latent_dim=4, hidden_dim=8)
    z0 = torch.tensor([0.5, -1.0, 0.0, 2.0])
    values = torch.tensor([-2.0, 0.0, 2.0])
    images = vc.latent_traversal(model, z0, values)
    assert images.shape == (4, 3, 1, 28, 28)
    for u in range(4):
        for j, v in enumerate(values):
            z = z0.clone()
            z[u] = v
            with torch.no_grad():
                expected = torch.sigmoid(model.decode(z[None]))[0]
            assert torch.allclose(images[u, j], expected, atol=1e-6)


def test_traversal_effect_is_zero_for_ignored_units():
    images = vc.latent_traversal(
        OnlyFirstUnit(), torch.zeros(3), torch.linspace(-3, 3, 7)
    )
    effect = vc.traversal_effect(images)
    assert effect.shape == (3,)
    assert effect[0] > 0.05
    assert torch.all(effect[1:] == 0)


def test_latent_traversal_checks_the_code_size():
    with pytest.raises(ValueError, match=r"shape \[4\]"):
        vc.latent_traversal(
            vc.MLPVAE(latent_dim=4, hidden_dim=8),
            torch.zeros(3),
            torch.zeros(2),
        )
