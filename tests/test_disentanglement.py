"""The mutual information gap of ``vae_course.disentanglement`` (chapter 7)."""

from __future__ import annotations

import math

import pytest
import torch
from sklearn.metrics import mutual_info_score

import vae_course as vc


def _grid():
    """Every combination of three factors (4, 5, 6 values): independent."""
    a, b, c = torch.meshgrid(
        torch.arange(4), torch.arange(5), torch.arange(6), indexing="ij"
    )
    factors = torch.stack([a.flatten(), b.flatten(), c.flatten()], 1)
    return factors.repeat(20, 1)  # 2,400 rows


def test_mutual_information_matches_sklearn():
    g = torch.Generator().manual_seed(0)
    a = torch.randint(5, (3000,), generator=g)
    b = (a + torch.randint(3, (3000,), generator=g)) % 7
    got = vc.discrete_mutual_info(a, b).item()
    assert abs(got - mutual_info_score(a.numpy(), b.numpy())) < 1e-10
    assert (
        abs(vc.discrete_entropy(a).item() - vc.discrete_mutual_info(a, a))
        < 1e-12
    )
    uniform = torch.arange(8).repeat(10)
    assert abs(vc.discrete_entropy(uniform).item() - math.log(8)) < 1e-12


def test_perfectly_disentangled_code_has_mig_one():
    factors = _grid()
    codes = factors.float() * 2.0 - 3  # each unit a copy of one factor
    extra = torch.zeros(len(factors), 1)  # a collapsed unit
    result = vc.mutual_information_gap(torch.cat([codes, extra], 1), factors)
    assert result["mig"] == pytest.approx(1.0, abs=1e-9)
    # noise that splits values across bins adds a little spurious MI only
    g = torch.Generator().manual_seed(1)
    noisy = codes + 0.01 * torch.randn(codes.shape, generator=g)
    assert vc.mutual_information_gap(noisy, factors)["mig"] > 0.99
    assert result["mutual_info"].shape == (4, 3)
    torch.testing.assert_close(
        result["entropy"],
        torch.tensor(
            [math.log(4), math.log(5), math.log(6)], dtype=torch.float64
        ),
    )


def test_shuffled_code_has_mig_near_zero():
    factors = _grid()
    g = torch.Generator().manual_seed(2)
    codes = torch.stack(
        [f[torch.randperm(len(f), generator=g)].float() for f in factors.T], 1
    )
    assert vc.mutual_information_gap(codes, factors)["mig"] < 0.02


def test_a_factor_copied_twice_has_no_gap_and_a_mixed_code_less():
    factors = _grid()
    codes = torch.stack(
        [factors[:, 0], factors[:, 0], factors[:, 1], factors[:, 2]], 1
    ).float()
    result = vc.mutual_information_gap(codes, factors)
    assert result["per_factor"][0] == pytest.approx(0.0, abs=1e-12)
    assert result["per_factor"][1:].tolist() == pytest.approx([1.0, 1.0])
    # a rotation of two units mixes factors 1 and 2: the gaps shrink
    f = factors.float()
    mixed = torch.stack([f[:, 0], f[:, 1] + f[:, 2], f[:, 1] - f[:, 2]], 1)
    assert vc.mutual_information_gap(mixed, factors)["mig"] < 0.7


def test_discretize_uses_equal_width_bins():
    codes = torch.tensor([[0.0, 5.0], [1.0, 5.0], [0.5, 5.0], [0.99, 5.0]])
    binned = vc.discretize(codes, bins=4)
    assert binned[:, 0].tolist() == [0, 3, 2, 3]
    assert binned[:, 1].tolist() == [0, 0, 0, 0]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same length|one length"):
        vc.discrete_mutual_info(torch.zeros(3).long(), torch.zeros(4).long())
    with pytest.raises(ValueError, match=r"\[N, units\]"):
        vc.mutual_information_gap(torch.zeros(5), torch.zeros(5, 2))
    with pytest.raises(ValueError, match=">= 2 columns"):
        vc.mutual_information_gap(torch.zeros(5, 1), torch.zeros(5, 2).long())
