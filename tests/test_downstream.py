"""Retrieval, clustering and posterior entropy (``vae_course.downstream``)."""

from __future__ import annotations

import math

import pytest
import torch

import vae_course as vc


def blobs(n_per=50, n_classes=4, spread=0.1, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = 5 * torch.randn(n_classes, 3, generator=g)
    labels = torch.arange(n_classes).repeat_interleave(n_per)
    features = centres[labels] + spread * torch.randn(
        len(labels), 3, generator=g
    )
    return features, labels


def test_nearest_neighbours_by_euclidean_distance():
    database = torch.tensor([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [0.0, 10.0]])
    query = torch.tensor([[2.9, 0.1], [0.1, 9.0]])
    idx = vc.nearest_neighbours(query, database, n=2)
    assert idx.tolist() == [[2, 1], [3, 0]]
    own = vc.nearest_neighbours(database, database, n=1, exclude_self=True)
    assert own[:, 0].tolist() == [1, 0, 1, 0]


def test_nearest_neighbours_rejects_bad_input():
    with pytest.raises(ValueError, match="features"):
        vc.nearest_neighbours(torch.zeros(2, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="neighbours among"):
        vc.nearest_neighbours(torch.zeros(2, 3), torch.zeros(5, 3), n=6)
    with pytest.raises(TypeError, match="floating-point"):
        vc.nearest_neighbours(
            torch.zeros(2, 3, dtype=torch.long), torch.zeros(5, 3)
        )


def test_retrieval_precision_separated_and_random():
    features, labels = blobs()
    assert (
        vc.retrieval_precision(
            features, labels, features, labels, n=10, exclude_self=True
        )
        == 1.0
    )
    shuffled = labels[
        torch.randperm(len(labels), generator=torch.Generator().manual_seed(1))
    ]
    chance = vc.retrieval_precision(
        features, shuffled, features, shuffled, n=10, exclude_self=True
    )
    assert abs(chance - 0.25) < 0.08
    # without exclude_self each query finds itself: precision at 1 is 1
    assert (
        vc.retrieval_precision(features, shuffled, features, shuffled, n=1)
        == 1.0
    )


def test_cluster_scores_find_the_blobs_and_only_them():
    features, labels = blobs()
    scores = vc.cluster_scores(features, labels, n_clusters=4)
    assert scores["ari"] > 0.99 and scores["nmi"] > 0.99
    assert scores["clusters"].shape == labels.shape
    noise = torch.randn(200, 3, generator=torch.Generator().manual_seed(2))
    assert abs(vc.cluster_scores(noise, labels, n_clusters=4)["ari"]) < 0.05


def test_posterior_entropy_is_the_gaussian_entropy():
    logvar = torch.randn(5, 4, generator=torch.Generator().manual_seed(3))
    mu = torch.zeros(5, 4)
    expected = (
        torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
        .entropy()
        .sum(1)
    )
    assert torch.allclose(vc.posterior_entropy(logvar), expected, atol=1e-5)
    # the prior N(0, I_k) has entropy k/2 log(2 pi e)
    assert (
        abs(
            vc.posterior_entropy(torch.zeros(1, 3)).item()
            - 1.5 * math.log(2 * math.pi * math.e)
        )
        < 1e-5
    )
