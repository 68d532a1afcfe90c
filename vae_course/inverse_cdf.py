"""The inverse-CDF method: a sample as a differentiable function of noise.

Chapter 3.

If ``u ~ U(0, 1)`` and ``F`` is a continuous CDF, then ``F^{-1}(u)`` has CDF
``F``. When ``F^{-1}(u; params)`` has a closed form it is a reparameterization:
the noise ``u`` does not depend on the parameters, and autograd differentiates
the sample with respect to them. The Gaussian case,
``mu + sigma * Phi^{-1}(u)``, is the trick of chapter 3 written with a uniform
instead of a standard normal.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ._checks import (
    as_tensor,
    require_callable,
    require_float,
    require_in_unit_interval,
    require_positive,
    require_same_device,
    require_sample_shape,
)


def require_params(u: torch.Tensor, **named) -> list[torch.Tensor]:
    """u checked, and the named parameters as tensors on u's device."""
    require_float("u", u)
    require_in_unit_interval("u", u, open_interval=True)
    out = []
    for name, value in named.items():
        t = as_tensor(name, value)
        if not t.is_floating_point():
            raise TypeError(f"{name} must be floating point, got {t.dtype}")
        out.append(t)
    # 0-d CPU tensors (plain numbers) work with tensors on any device;
    # others must share u's device
    require_same_device(
        u=u,
        **{
            n: t
            for n, t in zip(named, out, strict=True)
            if t.dim() > 0 or t.device.type != "cpu"
        },
    )
    shapes = {
        "u": u.shape,
        **{n: t.shape for n, t in zip(named, out, strict=True)},
    }
    try:
        torch.broadcast_shapes(*shapes.values())
    except RuntimeError:
        listing = ", ".join(f"{n} {list(s)}" for n, s in shapes.items())
        raise ValueError(
            f"the shapes do not broadcast: {listing}; give the parameters "
            "one value, u's shape, or shapes that broadcast against it"
        ) from None
    return out


def normal_icdf(u: torch.Tensor, loc=0.0, scale=1.0) -> torch.Tensor:
    r"""Normal: ``loc + scale * Phi^{-1}(u)``.

    ``Phi^{-1}`` is ``torch.special.ndtri``.
    """
    loc, scale = require_params(u, loc=loc, scale=scale)
    require_positive("scale", scale)
    return loc + scale * torch.special.ndtri(u)


def exponential_icdf(u: torch.Tensor, rate) -> torch.Tensor:
    r"""Exponential(rate): ``F^{-1}(u) = -log(1 - u) / rate``.

    From F(x) = 1 - exp(-rate x).
    """
    (rate,) = require_params(u, rate=rate)
    require_positive("rate", rate)
    return -torch.log1p(-u) / rate


def logistic_icdf(u: torch.Tensor, loc=0.0, scale=1.0) -> torch.Tensor:
    r"""Logistic: ``F^{-1}(u) = loc + scale * log(u / (1 - u))``.

    From F(x) = 1 / (1 + exp(-(x - loc)/scale)).
    """
    loc, scale = require_params(u, loc=loc, scale=scale)
    require_positive("scale", scale)
    return loc + scale * (torch.log(u) - torch.log1p(-u))


def gumbel_icdf(u: torch.Tensor, loc=0.0, scale=1.0) -> torch.Tensor:
    r"""Gumbel: ``F^{-1}(u) = loc - scale * log(-log u)``.

    From F(x) = exp(-exp(-(x - loc)/scale)).
    """
    loc, scale = require_params(u, loc=loc, scale=scale)
    require_positive("scale", scale)
    return loc - scale * torch.log(-torch.log(u))


def laplace_icdf(u: torch.Tensor, loc=0.0, scale=1.0) -> torch.Tensor:
    r"""Laplace: ``loc - scale * sign(u - 1/2) * log(1 - 2 |u - 1/2|)``.

    Written as its two halves, ``loc + scale * log(2u)`` for u < 1/2 and
    ``loc - scale * log(2 - 2u)`` above, so that the derivative in u is right
    at u = 1/2 too (sign() has derivative 0 there).
    """
    loc, scale = require_params(u, loc=loc, scale=scale)
    require_positive("scale", scale)
    lower = torch.log(2.0 * u)  # both halves are finite for every u in (0, 1)
    upper = -torch.log(2.0 - 2.0 * u)
    return loc + scale * torch.where(u < 0.5, lower, upper)


def cauchy_icdf(u: torch.Tensor, loc=0.0, scale=1.0) -> torch.Tensor:
    r"""Cauchy: ``F^{-1}(u) = loc + scale * tan(pi (u - 1/2))``.

    From F(x) = 1/2 + arctan((x - loc)/scale) / pi.
    """
    loc, scale = require_params(u, loc=loc, scale=scale)
    require_positive("scale", scale)
    return loc + scale * torch.tan(math.pi * (u - 0.5))


def kumaraswamy_icdf(u: torch.Tensor, a, b) -> torch.Tensor:
    r"""Kumaraswamy(a, b) on (0, 1): ``(1 - (1 - u)^{1/b})^{1/a}``.

    The inverse of F(x) = 1 - (1 - x^a)^b.

    A Beta-like distribution with a closed-form inverse CDF (Nalisnick & Smyth,
    2017).
    """
    a, b = require_params(u, a=a, b=b)
    require_positive("a", a)
    require_positive("b", b)
    # 1 - (1 - u)^{1/b} computed as -expm1(log1p(-u) / b) to keep precision
    # near u = 0
    inner = -torch.expm1(torch.log1p(-u) / b)
    return inner.pow(1.0 / a)


#: The closed-form inverse CDFs above, by name (``"normal"``, ...)
INVERSE_CDFS: dict[str, Callable[..., torch.Tensor]] = {
    "normal": normal_icdf,
    "exponential": exponential_icdf,
    "logistic": logistic_icdf,
    "gumbel": gumbel_icdf,
    "laplace": laplace_icdf,
    "cauchy": cauchy_icdf,
    "kumaraswamy": kumaraswamy_icdf,
}


def uniform_open(
    shape=(), *params, generator: torch.Generator | None = None
) -> torch.Tensor:
    """u ~ U(0, 1) strictly inside (0, 1): ``shape + broadcast(params)``.

    In the parameters' floating dtype (the default dtype without one) and
    on their device. ``torch.rand`` is in [0, 1); u is clamped to
    [tiny, 1 - eps] so that every inverse CDF stays finite.
    """
    if isinstance(shape, int):
        shape = (shape,)
    require_sample_shape(shape)
    tensors = [as_tensor(f"params[{i}]", p) for i, p in enumerate(params)]
    float_params = [t for t in tensors if t.is_floating_point()]
    dtype = (
        float_params[0].dtype if float_params else torch.get_default_dtype()
    )
    device = tensors[0].device if tensors else torch.device("cpu")
    batch = (
        torch.broadcast_shapes(*(t.shape for t in tensors))
        if tensors
        else torch.Size()
    )
    full = torch.Size(tuple(shape)) + batch
    u = torch.rand(full, generator=generator, dtype=dtype, device=device)
    tiny = torch.finfo(dtype).tiny
    return u.clamp(min=tiny, max=1.0 - torch.finfo(dtype).eps)


def inverse_cdf_sample(
    icdf: Callable[..., torch.Tensor],
    *params,
    shape=(),
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Sample by the inverse-CDF method: ``icdf(u, *params)``, u ~ U(0, 1).

    Args:
        icdf: an inverse CDF ``icdf(u, *params)``, e.g.
            :func:`exponential_icdf`.
        *params: its parameters (tensors that may require grad, or numbers).
        shape: the sample shape (a tuple of sizes >= 0, or one int); the
            result has shape ``shape + broadcast_shape(params)``.
        generator: optional ``torch.Generator`` on the parameters' device.

    Returns:
        Samples through which gradients flow to every parameter that requires
        grad.
    """
    require_callable("icdf", icdf, "a function icdf(u, *params)")
    u = uniform_open(shape, *params, generator=generator)  # noise: no params
    return icdf(u, *params)
