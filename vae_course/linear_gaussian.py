"""A latent-variable model small enough to do everything exactly (chapter 1).

The tests of the IWAE bound use it too.

    p(z) = N(0, I_k),  p(x|z) = N(W z + b, I_d)  =>  p(x) = N(b, W W^T + I_d)

The posterior is Gaussian too: p(z|x) = N(S W^T (x - b), S) with S = (I_k + W^T
W)^{-1}. Because log p(x) has a closed form, the identity log p(x) = ELBO +
KL(q || p(z|x)) and the convergence of the IWAE bound can be checked to the
last digit. The model's ``encoder`` returns the best *diagonal* Gaussian
(mean field): the exact posterior mean with variances ``1 / diag(S^{-1})``,
so the gap KL(q || p(z|x)) is small but not zero whenever the posterior is
correlated.
"""

from __future__ import annotations

import math

import torch

from ._checks import require_float, require_positive_int, shape_str
from .likelihoods import LIKELIHOODS


class LinearGaussianModel:
    """The linear-Gaussian latent-variable model, mean-field encoder.

    See the module docstring.

    Args:
        W: ``[d, k]`` decoder weights.
        b: ``[d]`` decoder bias.
    """

    likelihood = LIKELIHOODS["gaussian"]

    def __init__(self, W: torch.Tensor, b: torch.Tensor):
        require_float("W", W)
        require_float("b", b)
        if W.dim() != 2:
            raise ValueError(f"W must have shape [d, k], got {shape_str(W)}")
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"b has shape {shape_str(b)} but W has {shape_str(W)}; "
                f"expected b of shape [{W.shape[0]}]"
            )
        self.W, self.b = W, b
        self.d, self.latent_dim = W.shape
        eye_k = torch.eye(self.latent_dim, dtype=W.dtype, device=W.device)
        self.posterior_precision = eye_k + W.T @ W  # S^{-1}
        self.posterior_cov = torch.linalg.inv(self.posterior_precision)  # S
        self.marginal_cov = W @ W.T + torch.eye(
            self.d, dtype=W.dtype, device=W.device
        )

    @classmethod
    def random(
        cls,
        d: int,
        k: int,
        generator: torch.Generator | None = None,
        dtype=torch.float64,
    ):
        """A model with ``W ~ N(0, 1)`` entries and ``b ~ N(0, 1)``.

        Its posterior is correlated; every answer is exact.
        """
        require_positive_int("d", d)
        require_positive_int("k", k)
        W = torch.randn(d, k, generator=generator, dtype=dtype)
        b = torch.randn(d, generator=generator, dtype=dtype)
        return cls(W, b)

    def check_input(self, x: torch.Tensor) -> None:
        """Data ``[batch, d]`` (a ValueError naming the shape otherwise)."""
        self._check_x(x)

    def _check_x(self, x: torch.Tensor) -> torch.Tensor:
        require_float("x", x)
        if x.dim() != 2 or x.shape[1] != self.d or x.shape[0] == 0:
            raise ValueError(
                f"x must have shape [batch, {self.d}] with batch >= 1, "
                f"got {shape_str(x)}"
            )
        return x

    def sample(
        self, n: int, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Ancestral sampling: z ~ p(z), then x ~ p(x|z); ``[n, d]``."""
        z = torch.randn(
            n, self.latent_dim, generator=generator, dtype=self.W.dtype
        )
        return self.decode(z) + torch.randn(
            n, self.d, generator=generator, dtype=self.W.dtype
        )

    def decoder(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's mean ``W z + b`` (any leading dims), ``[..., d]``."""
        return z @ self.W.T + self.b

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's mean for codes z ``[..., k]``, checked."""
        require_float("z", z)
        if z.dim() < 1 or z.shape[-1] != self.latent_dim:
            raise ValueError(
                f"z must have shape [..., {self.latent_dim}] (latent_dim), "
                f"got {shape_str(z)}"
            )
        return self.decoder(z)

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact posterior p(z|x) = N(mean, cov).

        mean ``[batch, k]``, cov ``[k, k]`` (the same for every x).
        """
        x = self._check_x(x)
        mean = (
            (x - self.b) @ self.W @ self.posterior_cov
        )  # S W^T (x - b), written for rows
        return mean, self.posterior_cov

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The encoder's ``(mu, logvar)`` for data x, checked."""
        self.check_input(x)
        return self.encoder(x)

    def encoder(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean-field q(z|x): exact posterior mean, variances 1 / diag(S^-1).

        S^-1 is the posterior precision.
        """
        mean, _ = self.posterior(x)
        logvar = -torch.log(
            torch.diagonal(self.posterior_precision)
        ).expand_as(mean)
        return mean, logvar

    def log_joint(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p(x, z) = log N(x | W z + b, I) + log N(z | 0, I), in nats.

        Summed over dimensions: ``[...]``.
        """
        log_px_z = -0.5 * ((x - self.decoder(z)) ** 2).sum(
            -1
        ) - 0.5 * self.d * math.log(2 * math.pi)
        log_pz = -0.5 * (z**2).sum(-1) - 0.5 * self.latent_dim * math.log(
            2 * math.pi
        )
        return log_px_z + log_pz

    def log_marginal(self, x: torch.Tensor) -> torch.Tensor:
        """Exact evidence log p(x) = log N(x | b, W W^T + I), ``[batch]``."""
        x = self._check_x(x)
        dist = torch.distributions.MultivariateNormal(
            self.b, covariance_matrix=self.marginal_cov
        )
        return dist.log_prob(x)

    def kl_to_posterior(
        self, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
    ) -> torch.Tensor:
        """KL( N(mu, diag(exp(logvar))) || p(z|x) ), ``[batch]`` nats.

        In closed form: the gap between log p(x) and the ELBO.
        """
        mean, cov = self.posterior(x)
        q = torch.distributions.MultivariateNormal(
            mu, covariance_matrix=torch.diag_embed(torch.exp(logvar))
        )
        p = torch.distributions.MultivariateNormal(mean, covariance_matrix=cov)
        return torch.distributions.kl_divergence(q, p)


def grid_log_marginal(
    model: LinearGaussianModel,
    x: torch.Tensor,
    n_points: int,
    limit: float = 6.0,
):
    """log p(x) by brute-force integration of p(x|z) p(z) on a grid (ch. 1).

    A midpoint rule with ``n_points`` per latent dimension on
    ``[-limit, limit]^k``: the decoder is evaluated ``n_points ** k`` times per
    data point, which is why the evidence of a model with a 20-dimensional
    latent space cannot be computed this way.

    Returns:
        ``(log_px [batch], n_evaluations)``.
    """
    x = model._check_x(x)
    require_positive_int("n_points", n_points)
    k = model.latent_dim
    n_evaluations = n_points**k
    if n_evaluations > 5_000_000:
        raise ValueError(
            f"a grid of {n_points} points in each of {k} dimensions needs "
            f"{n_evaluations:,} decoder evaluations per data point; that is "
            "the point of the demo, but too many to run (max 5,000,000)"
        )
    width = 2 * limit / n_points
    axis = -limit + width * (torch.arange(n_points, dtype=x.dtype) + 0.5)
    grid = torch.cartesian_prod(*([axis] * k)).reshape(-1, k)  # [G, k]
    log_joint = model.log_joint(x[:, None, :], grid[None, :, :])  # [batch, G]
    return torch.logsumexp(log_joint, dim=1) + k * math.log(
        width
    ), n_evaluations
