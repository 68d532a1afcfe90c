"""How useful are the embeddings? A classifier trained on few labels.

Chapter 5, downstream use.

Kingma et al. (2014, "M1") trained a VAE without labels and then a classifier
on its latent codes. Here the classifier is scikit-learn's logistic regression
(a linear probe) or a k-nearest-neighbour vote, trained on a class-balanced
subset of ``n_labels`` labelled images.
"""

from __future__ import annotations

import numpy as np
import torch

PROBES = ("logistic", "knn")


def as_numpy(name: str, t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    t = np.asarray(t)
    if t.size == 0:
        raise ValueError(f"{name} is empty")
    return t


def balanced_subset(labels, n_labels: int, seed: int = 0) -> np.ndarray:
    """Indices of ``n_labels`` examples, as equal per class as possible.

    Chosen at random with ``seed``.
    """
    labels = as_numpy("labels", labels)
    classes = np.unique(labels)
    if n_labels < len(classes):
        raise ValueError(
            "n_labels must be at least the number of classes "
            f"({len(classes)}), got {n_labels}"
        )
    if n_labels > len(labels):
        raise ValueError(
            f"n_labels={n_labels} but only {len(labels)} labelled examples "
            "exist"
        )
    rng = np.random.RandomState(seed)
    pools = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    chosen, per_round = [], 0
    while len(chosen) < n_labels:
        for pool in pools:
            if per_round < len(pool) and len(chosen) < n_labels:
                chosen.append(pool[per_round])
        per_round += 1
    return np.sort(np.array(chosen))


def probe_accuracy(
    train_features,
    train_labels,
    test_features,
    test_labels,
    n_labels: int | None = None,
    method: str = "logistic",
    seed: int = 0,
) -> float:
    """Test accuracy of a classifier fitted on ``n_labels`` labelled features.

    Args:
        train_features, test_features: ``[N, f]`` (latent codes, or flattened
            pixels).
        train_labels, test_labels: ``[N]`` integer labels.
        n_labels: how many labelled training examples to use (class-balanced);
            ``None`` for all.
        method: ``"logistic"`` (standardised features, L2-regularised logistic
            regression) or ``"knn"`` (5 nearest neighbours).
        seed: picks the labelled subset.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if method not in PROBES:
        raise ValueError(f"method must be one of {PROBES}, got {method!r}")
    Xtr = as_numpy("train_features", train_features).reshape(
        len(train_features), -1
    )
    ytr = as_numpy("train_labels", train_labels)
    Xte = as_numpy("test_features", test_features).reshape(
        len(test_features), -1
    )
    yte = as_numpy("test_labels", test_labels)
    if len(Xtr) != len(ytr) or len(Xte) != len(yte):
        raise ValueError(
            f"features and labels must pair up: {len(Xtr)} train features "
            f"vs {len(ytr)} labels, "
            f"{len(Xte)} test features vs {len(yte)} labels"
        )
    if Xtr.shape[1] != Xte.shape[1]:
        raise ValueError(
            f"train features have {Xtr.shape[1]} columns but test features "
            f"have {Xte.shape[1]}"
        )
    if n_labels is not None:
        idx = balanced_subset(ytr, n_labels, seed)
        Xtr, ytr = Xtr[idx], ytr[idx]
    if method == "logistic":
        clf = make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=2000, C=1.0)
        )
    else:
        clf = KNeighborsClassifier(n_neighbors=min(5, len(ytr)))
    clf.fit(Xtr, ytr)
    return float((clf.predict(Xte) == yte).mean())
