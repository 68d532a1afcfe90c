r"""Measuring disentanglement: the mutual information gap (chapter 7).

Chen et al. (2018): for each known factor v_j, the latent unit that knows
most about it should know much more than the runner-up. With I(z_u; v_j) the
mutual information between unit u and factor j and H(v_j) the factor's
entropy (nats),

    MIG = (1/J) sum_j [ I(z_(1); v_j) - I(z_(2); v_j) ] / H(v_j),

where z_(1) and z_(2) are the units with the largest and second-largest
mutual information with v_j. MIG is 1 when each factor is copied by exactly
one unit, 0 when no unit knows anything or when two units know the same.

The codes are the encoder's posterior means, discretised into ``bins``
equal-width bins per unit (20, as in the disentanglement_lib of Locatello
et al. 2019); the factors are discrete already. The mutual information of two
discrete variables is estimated from their joint histogram,

    I(a; b) = sum_{a, b} p(a, b) log [ p(a, b) / (p(a) p(b)) ]   nats,

which is biased upwards by about (bins - 1)(values - 1) / (2N) nats for N
samples: use N in the thousands.
"""

from __future__ import annotations

import torch

from ._checks import require_float, require_positive_int, shape_str


def _as_codes(name: str, t) -> torch.Tensor:
    t = torch.as_tensor(t).detach().cpu()
    if t.dim() != 2 or t.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape [N, units], got {shape_str(t)}"
        )
    return t


def discretize(codes: torch.Tensor, bins: int = 20) -> torch.Tensor:
    """Each column of ``codes [N, k]`` cut into ``bins`` equal-width bins.

    Returns bin indices ``[N, k]`` (0 to bins - 1), from the column's minimum
    to its maximum; a constant column falls in bin 0.
    """
    codes = _as_codes("codes", codes)
    require_float("codes", codes)
    require_positive_int("bins", bins)
    low, high = codes.min(dim=0).values, codes.max(dim=0).values
    width = (high - low).clamp_min(1e-12) / bins
    return ((codes - low) / width).floor().clamp(0, bins - 1).long()


def discrete_mutual_info(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""I(a; b) in nats from paired integer samples ``a [N]``, ``b [N]``."""
    a, b = torch.as_tensor(a).long().flatten(), torch.as_tensor(b).long()
    b = b.flatten()
    if a.shape != b.shape or a.numel() == 0:
        raise ValueError(
            f"a and b must be paired samples of one length, got {a.numel()} "
            f"and {b.numel()}"
        )
    if a.min() < 0 or b.min() < 0:
        raise ValueError("a and b must hold non-negative integers")
    na, nb = int(a.max()) + 1, int(b.max()) + 1
    joint = torch.zeros(na * nb, dtype=torch.float64)
    joint.index_add_(0, a * nb + b, torch.ones(len(a), dtype=torch.float64))
    joint = joint.view(na, nb) / len(a)
    outer = joint.sum(1, keepdim=True) * joint.sum(0, keepdim=True)
    seen = joint > 0
    return (joint[seen] * (joint[seen] / outer[seen]).log()).sum()


def discrete_entropy(values: torch.Tensor) -> torch.Tensor:
    r"""H(v) = -sum_v p(v) log p(v) in nats, from integer samples ``[N]``."""
    values = torch.as_tensor(values).long().flatten()
    return discrete_mutual_info(values, values)


def mutual_info_matrix(
    codes: torch.Tensor, factors: torch.Tensor, bins: int = 20
) -> torch.Tensor:
    """I(z_u; v_j) for every unit u and factor j: ``[k, J]`` nats.

    ``codes [N, k]`` are continuous (discretised with :func:`discretize`),
    ``factors [N, J]`` integer value indices.
    """
    binned = discretize(codes, bins)
    factors = _as_codes("factors", factors).long()
    if len(factors) != len(binned):
        raise ValueError(
            f"codes has {len(binned)} rows but factors has {len(factors)}"
        )
    return torch.stack(
        [
            torch.stack(
                [discrete_mutual_info(binned[:, u], f) for f in factors.T]
            )
            for u in range(binned.shape[1])
        ]
    )


def mutual_information_gap(
    codes: torch.Tensor, factors: torch.Tensor, bins: int = 20
) -> dict:
    r"""MIG of ``codes [N, k]`` against ``factors [N, J]`` (module docstring).

    Returns ``{"mig": float, "per_factor": [J] normalised gaps,
    "mutual_info": [k, J] nats, "entropy": [J] nats}``. Needs k >= 2.
    """
    mi = mutual_info_matrix(codes, factors, bins)
    if mi.shape[0] < 2:
        raise ValueError("MIG compares two units: codes need >= 2 columns")
    h = torch.stack(
        [discrete_entropy(f) for f in torch.as_tensor(factors).long().T]
    )
    top = mi.topk(2, dim=0).values  # [2, J]
    per_factor = (top[0] - top[1]) / h
    return {
        "mig": float(per_factor.mean()),
        "per_factor": per_factor,
        "mutual_info": mi,
        "entropy": h,
    }
