"""What a VAE is to the package, and the two VAEs of the course (chapter 4).

:class:`VAE` is the contract: anything with ``encode``, ``decode``,
``likelihood`` and ``latent_dim``. The objective (:mod:`vae_course.elbo`), the
trainer, inference and checkpoints rely on nothing else.

Both models map an image ``x`` ``[batch, 1, 28, 28]`` (or flat
``[batch, 784]``) to the parameters of q_phi(z|x) = N(mu, diag(exp(logvar)))
(``encode``), and a latent ``z`` ``[..., k]`` to the parameters of
p_theta(x|z) (``decode``): Bernoulli logits (``likelihood="bernoulli"``) or
the mean of N(mean, I) (``likelihood="gaussian"``). The decoder ends in
logits, not a Sigmoid: the loss is computed from logits for numerical
stability, and the Sigmoid is applied only for display (``mean_image``).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch
from torch import nn

from ._checks import (
    require_float,
    require_positive_int,
    require_same_device,
    shape_str,
)
from .likelihoods import LIKELIHOODS, decoder_mean
from .reparam import reparameterize

IMAGE_SHAPE = (1, 28, 28)
IMAGE_PIXELS = 28 * 28


@runtime_checkable
class VAE(Protocol):
    """A VAE as the package uses it: an encoder, a decoder and a likelihood.

    ``encode(x)`` maps data ``[batch, ...]`` to ``(mu, logvar)``, each
    ``[batch, latent_dim]``: the Gaussian q_phi(z|x). ``decode(z)`` maps
    ``z [..., latent_dim]`` (leading sample dimensions allowed) to the
    parameters of p_theta(x|z), ``[..., *data shape]``: logits when
    ``likelihood == "bernoulli"``, the mean of N(mean, I) when it is
    ``"gaussian"``. :class:`MLPVAE`, :class:`ConvVAE` and
    :class:`~vae_course.linear_gaussian.LinearGaussianModel` satisfy it;
    ``isinstance(model, VAE)`` checks the four names.
    """

    latent_dim: int
    likelihood: str

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]: ...

    def decode(self, z: torch.Tensor) -> torch.Tensor: ...


def require_vae(model) -> VAE:
    """``model`` itself if it satisfies :class:`VAE`, else a TypeError."""
    # the names isinstance(model, VAE) checks, without its slow generic path
    missing = [
        name
        for name in ("encode", "decode", "likelihood", "latent_dim")
        if not hasattr(model, name)
    ]
    if missing:
        raise TypeError(
            f"model must be a VAE (encode, decode, likelihood, latent_dim); "
            f"{type(model).__name__} has no {', '.join(missing)}"
        )
    if model.likelihood not in LIKELIHOODS:
        raise ValueError(
            f"model.likelihood must be one of {LIKELIHOODS}, "
            f"got {model.likelihood!r}"
        )
    return model


class _VAE(nn.Module):
    """Shared plumbing: checks, one forward pass, display means."""

    def __init__(self, latent_dim: int, likelihood: str):
        super().__init__()
        require_positive_int("latent_dim", latent_dim)
        if likelihood not in LIKELIHOODS:
            raise ValueError(
                f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}"
            )
        self.latent_dim = latent_dim
        self.likelihood = likelihood

    def _check_like_weights(self, name: str, t: torch.Tensor) -> torch.Tensor:
        """Inputs share the weights' dtype and device.

        ``torch.from_numpy(pixels / 255)`` is float64, the weights float32.
        """
        require_float(name, t)
        weight = next(self.parameters(), None)
        if weight is None:
            return t
        if t.dtype != weight.dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype} but the model's weights are "
                f"{weight.dtype}; convert it with {name}.to({weight.dtype})"
            )
        require_same_device(**{name: t, "the model's weights": weight})
        return t

    def _check_images(self, x: torch.Tensor) -> torch.Tensor:
        """``[batch, 1, 28, 28]`` or flat ``[batch, 784]`` -> the former."""
        self._check_like_weights("x", x)
        if x.dim() >= 1 and x.shape[0] == 0:
            raise ValueError(
                f"x must be a non-empty batch, got shape {shape_str(x)}"
            )
        if x.dim() == 2 and x.shape[1] == IMAGE_PIXELS:
            return x.view(-1, *IMAGE_SHAPE)
        if x.dim() == 4 and tuple(x.shape[1:]) == IMAGE_SHAPE:
            return x
        raise ValueError(
            f"x must have shape [batch, 1, 28, 28] or [batch, 784], "
            f"got {shape_str(x)}"
        )

    def _check_latent(self, z: torch.Tensor) -> torch.Tensor:
        self._check_like_weights("z", z)
        if z.dim() < 1 or z.shape[-1] != self.latent_dim:
            raise ValueError(
                f"z must have shape [..., {self.latent_dim}] (latent_dim), "
                f"got {shape_str(z)}"
            )
        return z

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ):
        """One pass of the lecture's algorithm: encode, reparameterize, decode.

        Returns ``(decoder_output [batch, 1, 28, 28], mu [batch, k],
        logvar [batch, k])``.
        """
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, generator=generator)
        return self.decode(z), mu, logvar

    def mean_image(self, decoder_output: torch.Tensor) -> torch.Tensor:
        """The mean of p(x|z): sigmoid(logits) or the Gaussian mean."""
        return decoder_mean(decoder_output, self.likelihood)


class MLPVAE(_VAE):
    """784-400-k encoder and k-400-784 decoder with ReLU (pytorch/examples).

    The model of pytorch/examples ``vae/main.py``; Kingma & Welling (2013)
    used the same shape with 500 tanh hidden units.

    Args:
        latent_dim: k, the size of z (20 in pytorch/examples; 2 for the
            latent-manifold plot).
        hidden_dim: width of the single hidden layer (400).
        likelihood: ``"bernoulli"`` (decoder outputs logits) or
            ``"gaussian"`` (decoder outputs the mean).
    """

    def __init__(
        self,
        latent_dim: int = 20,
        hidden_dim: int = 400,
        likelihood: str = "bernoulli",
    ):
        super().__init__(latent_dim, likelihood)
        require_positive_int("hidden_dim", hidden_dim)
        self.hidden_dim = hidden_dim
        self.config = {
            "latent_dim": latent_dim,
            "hidden_dim": hidden_dim,
            "likelihood": likelihood,
        }
        self.encoder = nn.Sequential(
            nn.Flatten(), nn.Linear(IMAGE_PIXELS, hidden_dim), nn.ReLU()
        )
        self.fc_mu = nn.Linear(hidden_dim, latent_dim)
        self.fc_logvar = nn.Linear(hidden_dim, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, IMAGE_PIXELS),
        )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q_phi(z|x): images x -> mu, logvar.

        ``[batch, 1, 28, 28]`` (or ``[batch, 784]``) -> two ``[batch, k]``.
        """
        h = self.encoder(self._check_images(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """p_theta(x|z): codes z -> logits (or the mean) of each pixel.

        ``[..., k]`` -> ``[..., 1, 28, 28]``.
        """
        z = self._check_latent(z)
        return self.decoder(z).view(*z.shape[:-1], *IMAGE_SHAPE)


class ConvVAE(_VAE):
    """The lecture's convolutional beta-VAE (chapter 4).

    Encoder: Conv2d(1, 32, 4, stride 2, pad 1) + ReLU -> 32x14x14;
    Conv2d(32, 64, 4, 2, 1) + ReLU -> 64x7x7; flatten to 3136; two Linear
    heads for mu and logvar.

    Decoder: Linear(k, 3136) + ReLU -> 64x7x7;
    ConvTranspose2d(64, 32, 4, 2, 1) + ReLU -> 32x14x14;
    ConvTranspose2d(32, 1, 4, 2, 1) -> 1x28x28 logits (Sigmoid only for
    display).
    """

    def __init__(self, latent_dim: int = 10, likelihood: str = "bernoulli"):
        super().__init__(latent_dim, likelihood)
        self.config = {"latent_dim": latent_dim, "likelihood": likelihood}
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.fc_mu = nn.Linear(64 * 7 * 7, latent_dim)
        self.fc_logvar = nn.Linear(64 * 7 * 7, latent_dim)
        self.decoder_input = nn.Sequential(
            nn.Linear(latent_dim, 64 * 7 * 7), nn.ReLU()
        )
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1),
        )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q_phi(z|x): images x -> mu, logvar.

        ``[batch, 1, 28, 28]`` (or ``[batch, 784]``) -> two ``[batch, k]``.
        """
        h = self.encoder(self._check_images(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """p_theta(x|z): codes z -> logits (or the mean) of each pixel.

        ``[..., k]`` -> ``[..., 1, 28, 28]``.
        """
        z = self._check_latent(z)
        lead = z.shape[:-1]
        h = self.decoder_input(z.reshape(-1, self.latent_dim))
        return self.decoder(h).view(*lead, *IMAGE_SHAPE)
