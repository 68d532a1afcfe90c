"""Using a trained VAE (chapter 5): generation, latent inference, tours.

The lectures distinguish two ways of reading each distribution:

* Generation: z ~ p(z) = N(0, I), then **Method A** shows the decoder's mean
  E[x|z] and **Method B** draws x ~ p_theta(x|z) (0/1 pixels for a Bernoulli
  decoder; mean + N(0, I) noise for a Gaussian decoder of identity
  covariance, which swamps [0, 1] images).
* Latent posterior inference: **Method A** embeds x as the posterior mean
  mu_phi(x); **Method B** draws z ~ q_phi(z|x) = N(mu, diag(sigma^2)).

All functions run without gradients in eval mode, on the model's device and
in its dtype (a float64 model gets float64 codes and images).
"""

from __future__ import annotations

import torch

from ._checks import (
    require_batch,
    require_nonnegative_number,
    require_positive_int,
    shape_str,
)
from .inverse_cdf import normal_icdf
from .models import VAE, require_input, require_latent, require_vae
from .reparam import reparameterize

METHODS = ("mean", "sample")


def _weights_of(model) -> dict:
    """``{"device": ..., "dtype": ...}`` of the model's weights."""
    weights = model.parameters() if hasattr(model, "parameters") else ()
    weight = next(iter(weights), None)
    if weight is None:
        return {"device": torch.device("cpu"), "dtype": torch.float32}
    return {"device": weight.device, "dtype": weight.dtype}


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(
            "method must be 'mean' (Method A) or 'sample' (Method B), "
            f"got {method!r}"
        )


def _set_eval(model) -> None:
    if hasattr(model, "eval"):
        model.eval()


@torch.no_grad()
def decode_images(
    model: VAE,
    z: torch.Tensor,
    method: str = "mean",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Images from latent codes ``z [n, k]``: Method A or Method B.

    ``"mean"`` shows E[x|z] (sigmoid of the logits, or the Gaussian mean);
    ``"sample"`` draws x ~ p_theta(x|z): Bernoulli pixels, or the mean plus
    N(0, I) noise. Returns ``[n, 1, 28, 28]`` for the course's models.
    """
    require_vae(model)
    _check_method(method)
    require_latent(model, z)
    _set_eval(model)
    x_params = model.decoder(z)
    if method == "mean":
        return model.likelihood.mean(x_params)
    return model.likelihood.sample(x_params, generator)


@torch.no_grad()
def generate(
    model: VAE,
    n: int,
    method: str = "mean",
    generator: torch.Generator | None = None,
    z: torch.Tensor | None = None,
) -> torch.Tensor:
    """New images from the prior: z ~ N(0, I), then :func:`decode_images`.

    Args:
        model: a trained VAE.
        n: number of images (ignored when ``z`` is given).
        method: ``"mean"`` (Method A) or ``"sample"`` (Method B).
        generator: ``torch.Generator`` on the model's device.
        z: latent codes ``[n, k]`` to decode instead of drawing them.

    Returns:
        ``[n, 1, 28, 28]`` images in the model's dtype (the mean lies in
        [0, 1] for Bernoulli decoders).
    """
    require_vae(model)
    _check_method(method)
    if z is None:
        require_positive_int("n", n)
        shape = (n, model.latent_dim)
        z = torch.randn(shape, generator=generator, **_weights_of(model))
    return decode_images(model, z, method, generator)


@torch.no_grad()
def embed(
    model: VAE,
    x: torch.Tensor,
    method: str = "mean",
    generator: torch.Generator | None = None,
    batch_size: int = 1000,
) -> torch.Tensor:
    """Latent codes of images x, ``[batch, k]``.

    Method A (``"mean"``): the posterior mean mu_phi(x); Method B
    (``"sample"``): z ~ q_phi(z|x). ``x`` goes to the model's device and
    dtype, in chunks of ``batch_size``.
    """
    require_vae(model)
    _check_method(method)
    require_batch("x", x)
    require_positive_int("batch_size", batch_size)
    _set_eval(model)
    x = x.to(**_weights_of(model))
    codes = []
    for first in range(0, x.shape[0], batch_size):
        batch = require_input(model, x[first : first + batch_size])
        mu, logvar = model.encoder(batch)
        if method == "sample":
            mu = reparameterize(mu, logvar, generator=generator)
        codes.append(mu)
    return torch.cat(codes)


@torch.no_grad()
def reconstruct(model: VAE, x: torch.Tensor) -> torch.Tensor:
    """Decode each image's posterior mean: E[x|z], ``[batch, 1, 28, 28]``."""
    return decode_images(model, embed(model, x), "mean")


def _one_image(name: str, x: torch.Tensor) -> torch.Tensor:
    """One image as a batch of one: ``[1, 1, 28, 28]`` or ``[1, 784]``."""
    require_batch(name, x)
    if x.dim() in (1, 3):  # [784] or [1, 28, 28]
        x = x.unsqueeze(0)
    if x.dim() not in (2, 4) or x.shape[0] != 1:
        raise ValueError(f"{name} must be one image, got shape {shape_str(x)}")
    return x


@torch.no_grad()
def interpolate(
    model: VAE, x_a: torch.Tensor, x_b: torch.Tensor, steps: int = 10
) -> torch.Tensor:
    """Decoded points between two images' posterior means.

    Returns ``[steps, 1, 28, 28]`` decoder means at

    ``z_t = (1 - t) mu(x_a) + t mu(x_b)`` for ``t`` from 0 to 1.
    """
    require_positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (both ends), got {steps}")
    x_a, x_b = _one_image("x_a", x_a), _one_image("x_b", x_b)
    z_a, z_b = embed(model, x_a)[0], embed(model, x_b)[0]
    t = torch.linspace(0, 1, steps, device=z_a.device, dtype=z_a.dtype)
    t = t[:, None]
    return decode_images(model, (1 - t) * z_a + t * z_b)


@torch.no_grad()
def latent_grid(
    model: VAE, n: int = 20, lo: float = 0.05, hi: float = 0.95
) -> torch.Tensor:
    """The learned 2-D manifold (Kingma & Welling 2013, fig. 4).

    Returns ``[n * n, 1, 28, 28]`` decoder means.

    A uniform ``n x n`` grid on ``[lo, hi]^2`` is mapped through the inverse
    Gaussian CDF (chapter 3's ``normal_icdf``), so neighbouring codes are
    equally probable under the prior; the decoder's means are returned. Rows
    run from high to low z_2 (top to bottom), columns from low to high z_1.
    """
    require_vae(model)
    require_positive_int("n", n)
    if model.latent_dim != 2:
        raise ValueError(
            "latent_grid needs a model with latent_dim 2, "
            f"got {model.latent_dim}"
        )
    if not 0.0 < lo < hi < 1.0:
        raise ValueError(f"need 0 < lo < hi < 1, got lo={lo}, hi={hi}")
    u = torch.linspace(lo, hi, n, dtype=torch.float64)
    z1 = normal_icdf(u)
    z2 = normal_icdf(u).flip(0)
    rows, cols = torch.meshgrid(z2, z1, indexing="ij")
    z = torch.stack([cols, rows], dim=-1).reshape(-1, 2)
    return decode_images(model, z.to(**_weights_of(model)))


@torch.no_grad()
def active_units(
    model: VAE, x: torch.Tensor, threshold: float = 0.01
) -> tuple[int, torch.Tensor]:
    """Active latent units (Burda et al. 2015): Var_x(E_q[z_u]) > threshold.

    Returns ``(n_active, variances [k])``: the variances over the images
    ``x`` of each unit's posterior mean.
    """
    threshold = require_nonnegative_number("threshold", threshold)
    mu = embed(model, x)
    if mu.shape[0] < 2:
        raise ValueError(
            f"need at least 2 images to measure a variance, got {mu.shape[0]}"
        )
    variances = mu.var(dim=0)
    return int((variances > threshold).sum().item()), variances.cpu()
