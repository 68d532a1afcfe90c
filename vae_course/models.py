"""What a VAE is to the package, and the two VAEs of the course (chapter 4).

:class:`VAE` is the contract: an ``encoder`` (images -> ``(mu, logvar)``),
a ``decoder`` (codes -> the parameters of p_theta(x|z)), a ``likelihood``
(:class:`~vae_course.likelihoods.Likelihood`) and ``latent_dim``. The
objectives (:mod:`vae_course.objectives`), the trainer, inference and
checkpoints rely on nothing else. The encoder's parameters are phi
(``model.encoder.parameters()``), the decoder's theta.

Both models map an image ``x`` ``[batch, 1, 28, 28]`` (or flat
``[batch, 784]``) to the parameters of q_phi(z|x) = N(mu, diag(exp(logvar)))
and a latent ``z`` ``[..., k]`` to the parameters of p_theta(x|z): Bernoulli
logits (``likelihood="bernoulli"``) or the mean of N(mean, I)
(``likelihood="gaussian"``). The decoder ends in logits, not a Sigmoid: the
loss is computed from logits for numerical stability, and the Sigmoid is
applied only for display (``model.likelihood.mean``). ``encode(x)`` and
``decode(z)`` are the checked doors: they check the input, then call the
encoder or the decoder.
"""

from __future__ import annotations

import inspect
from typing import Protocol, runtime_checkable

import torch
from torch import nn

from ._checks import (
    require_batch,
    require_float,
    require_positive_int,
    require_same_device,
    shape_str,
)
from .likelihoods import Likelihood, get_likelihood
from .reparam import reparameterize

IMAGE_SHAPE = (1, 28, 28)
IMAGE_PIXELS = 28 * 28


@runtime_checkable
class VAE(Protocol):
    """A VAE as the package uses it: encoder, decoder, likelihood.

    ``encoder(x)`` maps data ``[batch, ...]`` to ``(mu, logvar)``, each
    ``[batch, latent_dim]``: the Gaussian q_phi(z|x). ``decoder(z)`` maps
    ``z [..., latent_dim]`` (leading sample dimensions allowed) to the
    parameters of p_theta(x|z), ``[..., *data shape]``, which
    ``likelihood`` (a :class:`~vae_course.likelihoods.Likelihood`) scores.
    :class:`MLPVAE`, :class:`ConvVAE` and
    :class:`~vae_course.linear_gaussian.LinearGaussianModel` satisfy it;
    ``isinstance(model, VAE)`` checks the four names.
    """

    latent_dim: int
    likelihood: Likelihood

    def encoder(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]: ...

    def decoder(self, z: torch.Tensor) -> torch.Tensor: ...


def _require_parts(model, names: tuple, what: str) -> None:
    missing = [name for name in names if not hasattr(model, name)]
    if missing:
        raise TypeError(
            f"model must be {what} ({', '.join(names)}); "
            f"{type(model).__name__} has no {', '.join(missing)}"
        )
    if not isinstance(model.likelihood, Likelihood):
        raise TypeError(
            "model.likelihood must be a vae_course Likelihood, e.g. "
            f"vc.get_likelihood('bernoulli'); got {model.likelihood!r}"
        )


def require_vae(model) -> VAE:
    """``model`` itself if it satisfies :class:`VAE`, else a TypeError."""
    # the names isinstance(model, VAE) checks, without its slow generic path
    names = ("encoder", "decoder", "likelihood", "latent_dim")
    _require_parts(model, names, "a VAE")
    return model


def require_autoencoder(model):
    """``model`` if it has an encoder, a decoder and a likelihood."""
    names = ("encoder", "decoder", "likelihood")
    _require_parts(model, names, "an autoencoder")
    return model


def require_input(model, x: torch.Tensor) -> torch.Tensor:
    """``x`` if it is a batch the model accepts (its own check, if any)."""
    require_batch("x", x)
    check = getattr(model, "check_input", None)
    if check is not None:
        check(x)
    return x


def require_latent(model, z: torch.Tensor) -> torch.Tensor:
    """``z`` if it is a batch of codes the model accepts (its own check)."""
    require_float("z", z)
    check = getattr(model, "check_latent", None)
    if check is not None:
        check(z)
    return z


class ToImages(nn.Module):
    """``[batch, 784]`` or ``[batch, 1, 28, 28]`` -> ``[batch, 1, 28, 28]``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *IMAGE_SHAPE)


class GaussianEncoder(nn.Module):
    """q_phi(z|x) = N(mu, diag(exp(logvar))): a body, then two linear heads.

    ``forward(x)`` returns ``(mu, logvar)``, each ``[batch, latent_dim]``;
    ``body`` maps x to ``[batch, features]``.
    """

    def __init__(self, body: nn.Module, features: int, latent_dim: int):
        super().__init__()
        self.body = body
        self.mu = nn.Linear(features, latent_dim)
        self.logvar = nn.Linear(features, latent_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.mu(h), self.logvar(h)


class ConvDecoder(nn.Sequential):
    """Layers that take one code per row, applied to ``z [..., k]``.

    Leading sample dimensions are folded into the batch and unfolded after:
    ``[..., k]`` -> ``[..., 1, 28, 28]``.
    """

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        lead = z.shape[:-1]
        x = super().forward(z.reshape(-1, z.shape[-1]))
        return x.view(*lead, *x.shape[1:])


class ImageModel(nn.Module):
    """What the course's models share: checked doors, config, likelihood.

    ``encode(x)`` checks the images and calls ``self.encoder``;
    ``decode(z)`` checks the codes and calls ``self.decoder``; ``config``
    holds the constructor's arguments (what a checkpoint needs to rebuild
    the model).
    """

    def __init__(self, likelihood: str):
        super().__init__()
        self.likelihood = get_likelihood(likelihood)

    @property
    def config(self) -> dict:
        """The constructor's arguments, by name (likelihood by its name)."""
        names = inspect.signature(type(self).__init__).parameters
        config = {n: getattr(self, n) for n in names if n != "self"}
        config["likelihood"] = self.likelihood.name
        return config

    def check_input(self, x: torch.Tensor) -> None:
        """Images ``[batch, 1, 28, 28]`` or ``[batch, 784]`` (ValueError else).

        The same dtype and device as the weights.
        """
        self._check_like_weights("x", x)
        if x.dim() >= 1 and x.shape[0] == 0:
            raise ValueError(
                f"x must be a non-empty batch, got shape {shape_str(x)}"
            )
        flat = x.dim() == 2 and x.shape[1] == IMAGE_PIXELS
        if not flat and not (x.dim() == 4 and x.shape[1:] == IMAGE_SHAPE):
            raise ValueError(
                f"x must have shape [batch, 1, 28, 28] or [batch, 784], "
                f"got {shape_str(x)}"
            )

    def check_latent(self, z: torch.Tensor) -> None:
        """Codes ``[..., k]`` like the weights (k: the decoder's input)."""
        self._check_like_weights("z", z)
        k = self.decoder[0].in_features
        if z.dim() < 1 or z.shape[-1] != k:
            raise ValueError(
                f"z must have shape [..., {k}] (the code's size), "
                f"got {shape_str(z)}"
            )

    def _check_like_weights(self, name: str, t: torch.Tensor) -> None:
        """Inputs share the weights' dtype and device.

        ``torch.from_numpy(pixels / 255)`` is float64, the weights float32.
        """
        require_float(name, t)
        weight = next(self.parameters(), None)
        if weight is None:
            return
        if t.dtype != weight.dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype} but the model's weights are "
                f"{weight.dtype}; convert it with {name}.to({weight.dtype})"
            )
        require_same_device(**{name: t, "the model's weights": weight})

    def encode(self, x: torch.Tensor):
        """The encoder's output for images x, after checking them."""
        self.check_input(x)
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """p_theta(x|z)'s parameters for codes z ``[..., k]``, checked."""
        self.check_latent(z)
        return self.decoder(z)


class _VAE(ImageModel):
    """A VAE of the course: its forward pass is the lecture's algorithm."""

    def __init__(self, latent_dim: int, likelihood: str):
        super().__init__(likelihood)
        require_positive_int("latent_dim", latent_dim)
        self.latent_dim = latent_dim

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
        body = nn.Sequential(
            nn.Flatten(), nn.Linear(IMAGE_PIXELS, hidden_dim), nn.ReLU()
        )
        self.encoder = GaussianEncoder(body, hidden_dim, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, IMAGE_PIXELS),
            nn.Unflatten(-1, IMAGE_SHAPE),
        )


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
        body = nn.Sequential(
            ToImages(),
            nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.encoder = GaussianEncoder(body, 64 * 7 * 7, latent_dim)
        self.decoder = ConvDecoder(
            nn.Linear(latent_dim, 64 * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1),
        )
