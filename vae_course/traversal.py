r"""Latent traversals (chapter 4): move one unit of z, hold the others.

For a code z_0 ``[k]`` and values v_1..v_m, unit u's row decodes z_0 with z_u
replaced by each v_j. In a disentangled code each row changes one factor of
the image (Higgins et al. 2017, the beta-VAE of lecture B); a collapsed unit
(KL ~ 0, ignored by the decoder) changes nothing. A unit's effect is the mean
absolute pixel change between neighbouring images of its row, in grey levels
(0 to 1).
"""

from __future__ import annotations

import torch

from ._checks import require_float


@torch.no_grad()
def latent_traversal(
    model, z0: torch.Tensor, values: torch.Tensor
) -> torch.Tensor:
    """Decoder means ``[k, m, 1, 28, 28]``; row u sets z0[u] to each value.

    ``z0`` is one code ``[k]``, ``values`` the m values ``[m]``.
    """
    require_float("z0", z0)
    require_float("values", values)
    k = model.latent_dim
    if z0.shape != (k,):
        raise ValueError(
            f"z0 must have shape [{k}] (the model's latent_dim), got "
            f"{list(z0.shape)}"
        )
    if values.dim() != 1:
        raise ValueError(f"values must be 1-D, got {list(values.shape)}")
    m = values.shape[0]
    z = z0.expand(k, m, k).clone()  # [unit, value, k]
    units = torch.arange(k, device=z.device)
    z[units, :, units] = values.to(z)  # row u: unit u takes each value
    model.eval()
    return model.likelihood.mean(model.decoder(z))


def traversal_effect(traversal: torch.Tensor) -> torch.Tensor:
    """Mean absolute change between neighbouring images of a row: ``[k]``."""
    steps = traversal.diff(dim=1).abs()  # [k, m - 1, ...]
    return steps.flatten(1).mean(dim=1)
