r"""The linear VAE is probabilistic PCA (chapter 6).

Probabilistic PCA (Tipping and Bishop 1999) is the latent-variable model

    z ~ N(0, I_k),   x | z ~ N(W z + b, sigma^2 I_d),
    so x ~ N(b, C) with C = W W^T + sigma^2 I_d,

and its maximum-likelihood solution is in closed form. With the eigenvalues
lambda_1 >= ... >= lambda_d of the data's covariance S and their unit
eigenvectors U:

    b = mean of the data,   W = U_k (Lambda_k - sigma^2 I)_+^{1/2} R,
    sigma^2_ML = (1/(d - k)) sum_{i > k} lambda_i   (when sigma^2 is learned),

for any rotation R. A direction whose eigenvalue is below the noise
variance gets a zero column: the model switches that latent off. A VAE with
a linear decoder, this likelihood and a linear encoder reaches the same
optimum, with its ELBO equal to the log-likelihood there, and its switched-off
directions are the posterior collapse of chapter 4 (Lucas et al. 2019).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ._checks import require_float, require_positive_int
from .likelihoods import get_likelihood


class PPCA(NamedTuple):
    """A fitted pPCA: ``mean [d]``, ``W [d, k]``, ``noise_var`` sigma^2,
    and the data covariance's ``eigenvalues [d]`` (descending)."""

    mean: torch.Tensor
    W: torch.Tensor
    noise_var: float
    eigenvalues: torch.Tensor


def _require_rows(x: torch.Tensor) -> torch.Tensor:
    require_float("x", x)
    if x.dim() < 2 or x.shape[0] < 2:
        raise ValueError(
            f"x must be [N, ...] with N >= 2 data points, got {list(x.shape)}"
        )
    return x.flatten(1)


def ppca_fit(x: torch.Tensor, k: int, noise_var: float | None = None) -> PPCA:
    r"""The closed-form maximum-likelihood pPCA of ``x [N, d]`` (any dtype).

    ``W = U_k (Lambda_k - sigma^2)_+^{1/2}`` (R = I), with sigma^2 =
    ``noise_var`` when given (a fixed decoder variance, as the VAE's
    Gaussian likelihood has) or the mean of the d - k smallest eigenvalues.
    """
    x = _require_rows(x)
    require_positive_int("k", k)
    d = x.shape[1]
    if k >= d:
        raise ValueError(f"k must be below the data dimension {d}, got {k}")
    mean = x.mean(dim=0)
    centred = x - mean
    covariance = centred.T @ centred / x.shape[0]  # S, [d, d]
    eigenvalues, vectors = torch.linalg.eigh(covariance)  # ascending
    eigenvalues, vectors = eigenvalues.flip(0), vectors.flip(1)
    if noise_var is None:
        noise_var = eigenvalues[k:].mean().item()
    scale = (eigenvalues[:k] - noise_var).clamp(min=0).sqrt()
    return PPCA(mean, vectors[:, :k] * scale, float(noise_var), eigenvalues)


def ppca_log_likelihood(
    x: torch.Tensor, W: torch.Tensor, mean: torch.Tensor, noise_var: float
) -> torch.Tensor:
    r"""log N(x; mean, W W^T + sigma^2 I), ``[N]`` nats.

    ``-1/2 [d log(2 pi) + log det C + (x - b)^T C^{-1} (x - b)]`` through a
    Cholesky factor of C; ``x [N, ...]`` is flattened to ``[N, d]``.
    """
    x = _require_rows(x).to(W.dtype)
    d = x.shape[1]
    C = W @ W.T + noise_var * torch.eye(d, dtype=W.dtype, device=W.device)
    L = torch.linalg.cholesky(C)
    solved = torch.linalg.solve_triangular(L, (x - mean).T, upper=False)
    log_det = 2 * torch.log(torch.diagonal(L)).sum()
    return -0.5 * (d * math.log(2 * math.pi) + log_det + solved.pow(2).sum(0))


def subspace_cosines(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    r"""Cosines of the principal angles between span(A) and span(B).

    ``A [d, a]``, ``B [d, b]`` -> ``[min(a, b)]`` in [0, 1], descending: the
    singular values of Q_A^T Q_B with orthonormal bases Q. All ones: the
    same subspace.
    """
    if A.dim() != 2 or B.dim() != 2 or A.shape[0] != B.shape[0]:
        raise ValueError(
            f"A and B must be [d, a] and [d, b], got {list(A.shape)} and "
            f"{list(B.shape)}"
        )
    qa, _ = torch.linalg.qr(A)
    qb, _ = torch.linalg.qr(B.to(A.dtype))
    return torch.linalg.svdvals(qa.T @ qb).clamp(max=1.0)


class LinearEncoder(nn.Module):
    """q(z|x) = N(V x + c, diag(exp(logvar))): the mean is linear in x and
    the variance is one learned vector for all images (Lucas et al.)."""

    def __init__(self, data_dim: int, latent_dim: int):
        super().__init__()
        self.mean = nn.Linear(data_dim, latent_dim)
        self.logvar = nn.Parameter(torch.zeros(latent_dim))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``x [batch, d]`` -> ``mu, logvar``, ``[batch, k]`` each."""
        mu = self.mean(x)
        return mu, self.logvar.expand_as(mu)


class LinearVAE(nn.Module):
    r"""A VAE whose encoder mean and decoder are linear (chapter 6).

    Decoder p(x|z) = N(W z + b, I) (the package's ``"gaussian"``
    likelihood, sigma^2 = 1); encoder :class:`LinearEncoder`. Works on flat
    data ``[batch, d]``; its optimum is :func:`ppca_fit` with
    ``noise_var=1``.
    """

    def __init__(self, data_dim: int, latent_dim: int):
        super().__init__()
        require_positive_int("data_dim", data_dim)
        require_positive_int("latent_dim", latent_dim)
        self.latent_dim = latent_dim
        self.likelihood = get_likelihood("gaussian")
        self.encoder = LinearEncoder(data_dim, latent_dim)  # phi
        self.decoder = nn.Linear(latent_dim, data_dim)  # theta: W z + b
