"""Using a trained VAE (chapter 5): generation, latent inference, reconstruction, latent-space tours.

The lectures distinguish two ways of reading each distribution:

* Generation: z ~ p(z) = N(0, I), then **Method A** shows the decoder's mean E[x|z] and
  **Method B** draws x ~ p_theta(x|z) (0/1 pixels for a Bernoulli decoder; mean + N(0, I) noise
  for a Gaussian decoder of identity covariance, which swamps [0, 1] images).
* Latent posterior inference: **Method A** embeds x as the posterior mean mu_phi(x);
  **Method B** draws z ~ q_phi(z|x) = N(mu, diag(sigma^2)).

All functions run without gradients in eval mode, on the model's device.
"""

from __future__ import annotations

import torch

from ._checks import require_float, require_positive_int, shape_str
from .inverse_cdf import normal_icdf
from .reparam import reparameterize

METHODS = ("mean", "sample")


def _device_of(model) -> torch.device:
    return next(model.parameters()).device


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(
            f"method must be 'mean' (Method A) or 'sample' (Method B), got {method!r}"
        )


def _decoded_images(
    model, z: torch.Tensor, method: str, generator
) -> torch.Tensor:
    out = model.decode(z)
    mean = model.mean_image(out)
    if method == "mean":
        return mean
    if model.likelihood == "bernoulli":
        return torch.bernoulli(mean, generator=generator)
    return mean + torch.randn(
        mean.shape, generator=generator, device=mean.device, dtype=mean.dtype
    )


@torch.no_grad()
def generate(
    model,
    n: int,
    method: str = "mean",
    generator: torch.Generator | None = None,
    z=None,
):
    """New images from the prior: z ~ N(0, I), then Method A (mean) or Method B (sample of p(x|z)).

    Args:
        model: a trained VAE.
        n: number of images (ignored when ``z`` is given).
        method: ``"mean"`` or ``"sample"``.
        generator: ``torch.Generator`` on the model's device, for reproducible draws.
        z: latent codes ``[n, k]`` to decode instead of drawing them.

    Returns:
        ``[n, 1, 28, 28]`` images (the mean lies in [0, 1] for Bernoulli decoders).
    """
    _check_method(method)
    model.eval()
    if z is None:
        require_positive_int("n", n)
        z = torch.randn(
            n, model.latent_dim, generator=generator, device=_device_of(model)
        )
    return _decoded_images(model, z, method, generator)


@torch.no_grad()
def embed(
    model,
    x: torch.Tensor,
    method: str = "mean",
    generator: torch.Generator | None = None,
    batch_size: int = 1000,
):
    """Latent codes of images: Method A, the posterior mean mu_phi(x); Method B, z ~ q_phi(z|x). ``[batch, k]``."""
    _check_method(method)
    require_float("x", x)
    model.eval()
    chunks = []
    for start in range(0, x.shape[0], batch_size):
        mu, logvar = model.encode(
            x[start : start + batch_size].to(_device_of(model))
        )
        chunks.append(
            mu
            if method == "mean"
            else reparameterize(mu, logvar, generator=generator)
        )
    return torch.cat(chunks)


@torch.no_grad()
def reconstruct(model, x: torch.Tensor) -> torch.Tensor:
    """Decode the posterior mean of each image and show the decoder's mean: ``[batch, 1, 28, 28]``."""
    return _decoded_images(model, embed(model, x), "mean", None)


@torch.no_grad()
def interpolate(
    model, x_a: torch.Tensor, x_b: torch.Tensor, steps: int = 10
) -> torch.Tensor:
    """Decoded points on the line between the posterior means of two images: ``[steps, 1, 28, 28]``.

    ``z_t = (1 - t) mu(x_a) + t mu(x_b)`` for ``t`` from 0 to 1.
    """
    require_positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (both ends), got {steps}")
    x_a = x_a.reshape(1, *x_a.shape[-3:]) if x_a.dim() in (3, 4) else x_a
    x_b = x_b.reshape(1, *x_b.shape[-3:]) if x_b.dim() in (3, 4) else x_b
    if x_a.shape[0] != 1 or x_b.shape[0] != 1:
        raise ValueError(
            f"x_a and x_b must each be one image, got shapes {shape_str(x_a)} and {shape_str(x_b)}"
        )
    z_a, z_b = embed(model, x_a)[0], embed(model, x_b)[0]
    t = torch.linspace(0, 1, steps, device=z_a.device)[:, None]
    return _decoded_images(model, (1 - t) * z_a + t * z_b, "mean", None)


@torch.no_grad()
def latent_grid(
    model, n: int = 20, lo: float = 0.05, hi: float = 0.95
) -> torch.Tensor:
    """The learned 2-D manifold (Kingma & Welling 2013, fig. 4): ``[n * n, 1, 28, 28]`` decoder means.

    A uniform ``n x n`` grid on ``[lo, hi]^2`` is mapped through the inverse Gaussian CDF
    (chapter 3's ``normal_icdf``), so neighbouring codes are equally probable under the prior.
    Rows run from high to low z_2 (top to bottom), columns from low to high z_1.
    """
    require_positive_int("n", n)
    if model.latent_dim != 2:
        raise ValueError(
            f"latent_grid needs a model with latent_dim 2, got {model.latent_dim}"
        )
    if not 0.0 < lo < hi < 1.0:
        raise ValueError(f"need 0 < lo < hi < 1, got lo={lo}, hi={hi}")
    u = torch.linspace(lo, hi, n, dtype=torch.float64)
    z1 = normal_icdf(u)
    z2 = normal_icdf(u).flip(0)
    z = torch.stack(
        torch.meshgrid(z2, z1, indexing="ij")[::-1], dim=-1
    ).reshape(-1, 2)
    return _decoded_images(
        model, z.to(torch.float32).to(_device_of(model)), "mean", None
    )


@torch.no_grad()
def active_units(
    model, x: torch.Tensor, threshold: float = 0.01
) -> tuple[int, torch.Tensor]:
    """Count active latent units (Burda et al. 2015): unit u is active if Var_x( E_q[z_u] ) > threshold.

    Returns ``(n_active, variances [k])``, variances of the posterior means over the images ``x``.
    """
    mu = embed(model, x)
    if mu.shape[0] < 2:
        raise ValueError(
            f"need at least 2 images to measure a variance, got {mu.shape[0]}"
        )
    variances = mu.var(dim=0)
    return int((variances > threshold).sum().item()), variances.cpu()
