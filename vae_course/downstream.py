r"""Downstream uses of the embeddings (chapter 5, lecture A).

* **Retrieval**: the n nearest neighbours of a query embedding among a
  database of embeddings, by Euclidean distance; scored by precision at n, the
  share of the neighbours with the query's label (labels only score, they
  never search).
* **Clustering**: k-means (scikit-learn) on the embeddings, scored against the
  labels with the adjusted Rand index (0 for chance, 1 for the labels'
  partition) and the normalised mutual information.
* **Uncertainty**: the encoder's posterior q_phi(z|x) = N(mu, diag sigma^2)
  has the entropy

      H[q_phi(z|x)] = 1/2 sum_u (log(2 pi e) + log sigma_u^2)   nats,

  larger when the encoder is less sure where x belongs in the latent space.
"""

from __future__ import annotations

import math

import torch

from ._checks import (
    require_float,
    require_like,
    require_positive_int,
    shape_str,
)


def require_features(name: str, t) -> torch.Tensor:
    require_float(name, t)
    if t.dim() != 2:
        raise ValueError(
            f"{name} must have shape [N, features], got {shape_str(t)}"
        )
    return t


def nearest_neighbours(
    query: torch.Tensor,
    database: torch.Tensor,
    n: int = 10,
    exclude_self: bool = False,
) -> torch.Tensor:
    """Indices ``[Q, n]`` of the n database rows nearest each query row.

    Args:
        query: ``[Q, f]`` embeddings to search for.
        database: ``[N, f]`` embeddings to search in.
        n: neighbours per query, nearest first.
        exclude_self: the query *is* the database (the same rows in the same
            order); skip each row's match with itself.
    """
    require_features("query", query)
    require_features("database", database)
    require_positive_int("n", n)
    if query.shape[1] != database.shape[1]:
        raise ValueError(
            f"query has {query.shape[1]} features but database has "
            f"{database.shape[1]}"
        )
    if n + int(exclude_self) > database.shape[0]:
        raise ValueError(
            f"asked for {n} neighbours among {database.shape[0]} rows"
        )
    database = require_like(query, database)
    distances = torch.cdist(query, database)  # [Q, N]
    if exclude_self:
        if query.shape != database.shape:
            raise ValueError("exclude_self needs query and database equal")
        distances.fill_diagonal_(float("inf"))
    return distances.topk(n, dim=1, largest=False).indices


def retrieval_precision(
    query: torch.Tensor,
    query_labels: torch.Tensor,
    database: torch.Tensor,
    database_labels: torch.Tensor,
    n: int = 10,
    exclude_self: bool = False,
) -> float:
    """Precision at n: mean share of a query's n neighbours with its label."""
    idx = nearest_neighbours(query, database, n, exclude_self)
    if len(query_labels) != len(query) or len(database_labels) != len(
        database
    ):
        raise ValueError("each embedding needs one label")
    neighbour_labels = database_labels.to(idx.device)[idx]  # [Q, n]
    same = neighbour_labels == query_labels.to(idx.device)[:, None]
    return same.float().mean().item()


def cluster_scores(
    features: torch.Tensor,
    labels: torch.Tensor,
    n_clusters: int = 10,
    seed: int = 0,
) -> dict:
    """k-means on ``features [N, f]``; its agreement with ``labels [N]``.

    Returns ``{"ari": adjusted Rand index, "nmi": normalised mutual info,
    "clusters": [N] cluster index of each row}``.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import (
        adjusted_rand_score,
        normalized_mutual_info_score,
    )

    features = require_features("features", features)
    require_positive_int("n_clusters", n_clusters)
    if len(labels) != len(features):
        raise ValueError(
            f"{len(features)} feature rows but {len(labels)} labels"
        )
    x = features.detach().cpu().double().numpy()
    y = labels.detach().cpu().numpy()
    clusters = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(x)
    return {
        "ari": float(adjusted_rand_score(y, clusters)),
        "nmi": float(normalized_mutual_info_score(y, clusters)),
        "clusters": torch.as_tensor(clusters),
    }


def posterior_entropy(logvar: torch.Tensor) -> torch.Tensor:
    r"""H[N(mu, diag exp(logvar))] = 1/2 sum_u (log(2 pi e) + logvar_u).

    Returns ``[batch]`` nats.

    ``logvar`` is the encoder's ``[batch, k]`` output; the mean does not enter.
    """
    require_float("logvar", logvar)
    return 0.5 * (math.log(2 * math.pi * math.e) + logvar).sum(dim=-1)
