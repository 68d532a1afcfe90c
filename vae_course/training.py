"""Training a VAE by stochastic gradient ascent on the ELBO (chapter 4).

:func:`train_step` is the lecture's step: encode, reparameterize, decode,
the ELBO's parts from :func:`~vae_course.elbo.elbo_from_outputs`,
``loss = -(reconstruction - beta * KL)``, ``zero_grad``, ``backward``,
``step``. :func:`train` repeats it over shuffled batches, written for speed
on small data: the whole data set stays as one tensor on the model's device
and each epoch walks a shuffled index, so there is no per-image
``DataLoader``/``ToTensor`` work (``benchmarks/bench_trainer.py`` measures
it against the textbook loop).

Two remedies for posterior collapse come from :mod:`vae_course.collapse`:
KL warm-up and free bits.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import torch
from tqdm.auto import tqdm

from ._checks import (
    require_batch,
    require_in_unit_interval,
    require_nonnegative_int,
    require_nonnegative_number,
    require_positive_int,
    require_positive_number,
    shape_str,
)
from .collapse import free_bits_kl, kl_warmup
from .elbo import ELBO, elbo, elbo_from_outputs
from .models import VAE, require_vae
from .reparam import reparameterize


class TrainingError(RuntimeError):
    """Training went wrong in a way the data or settings cause (a NaN loss)."""


@dataclass
class History:
    """Per-epoch record of a training run (means over images, in nats).

    ``*_elbo``, ``*_reconstruction`` and ``*_kl`` are the parts of the true
    ELBO (beta = 1: ``elbo = reconstruction - kl``), named as in
    :class:`~vae_course.elbo.ELBO`, so runs with different beta compare;
    ``train_loss`` is the objective that was minimised (with beta, warm-up
    and free bits). Train values are averaged over the epoch's batches; test
    values are measured after the epoch.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_elbo: list = field(default_factory=list)
    train_reconstruction: list = field(default_factory=list)
    train_kl: list = field(default_factory=list)
    test_elbo: list = field(default_factory=list)
    test_reconstruction: list = field(default_factory=list)
    test_kl: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    images_per_second: list = field(default_factory=list)

    @property
    def final(self) -> dict:
        """The last epoch's numbers as a dict (empty before training)."""
        return {k: v[-1] for k, v in asdict(self).items() if v}

    @property
    def train_recon(self) -> list:
        """The former name of ``train_reconstruction``."""
        return self.train_reconstruction

    @property
    def test_recon(self) -> list:
        """The former name of ``test_reconstruction``."""
        return self.test_reconstruction

    def as_dict(self) -> dict:
        return asdict(self)

    def __len__(self) -> int:
        return len(self.epoch)


def require_optimizer_of(model, optimizer) -> torch.optim.Optimizer:
    """``optimizer`` if it updates every parameter of ``model``."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be a torch.optim.Optimizer, "
            f"got {type(optimizer).__name__}"
        )
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    missing = [
        name for name, p in model.named_parameters() if id(p) not in held
    ]
    if missing:
        raise ValueError(
            f"optimizer does not hold the model's parameters ({len(missing)} "
            f"missing, e.g. {missing[0]!r}); build it from this model: "
            "torch.optim.Adam(model.parameters())"
        )
    return optimizer


def train_step(
    model: VAE,
    x: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    beta: float = 1.0,
    free_bits: float = 0.0,
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, ELBO]:
    r"""One step of gradient ascent on the (beta-)ELBO of a batch (chapter 4).

    ``loss = -(mean_batch reconstruction - beta * KL_term)``, where
    ``KL_term`` is the batch-mean KL, floored per dimension by free bits
    when ``free_bits > 0``. Returns the loss (a detached scalar) and the
    ELBO's parts ``[batch]`` in nats (beta = 1).
    """
    require_vae(model)
    require_optimizer_of(model, optimizer)
    beta = require_nonnegative_number("beta", beta)
    free_bits = require_nonnegative_number("free_bits", free_bits)
    mu, logvar = model.encode(x)
    z = reparameterize(mu, logvar, n_samples, generator)
    x_params = model.decode(z)
    parts = elbo_from_outputs(x, x_params, mu, logvar, model.likelihood)
    if free_bits > 0:
        kl_term = free_bits_kl(mu, logvar, free_bits)
    else:
        kl_term = parts.kl.mean()
    loss = -(parts.reconstruction.mean() - beta * kl_term)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach(), parts


def _split(data) -> tuple[torch.Tensor, torch.Tensor | None, bool]:
    if hasattr(data, "train_images"):
        return (
            data.train_images,
            data.test_images,
            bool(getattr(data, "binarize", False)),
        )
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], data[1], False
    if isinstance(data, torch.Tensor):
        return data, None, False
    raise TypeError(
        "data must be a vae_course.MNIST, a (train_images, test_images) "
        f"tuple or a tensor of training images, got {type(data).__name__}"
    )


def _check_images(name: str, images, likelihood: str) -> None:
    require_batch(name, images)
    if images.dim() < 2:
        raise ValueError(
            f"{name} must have shape [N, ...] with N >= 1, "
            f"got {shape_str(images)}"
        )
    if likelihood == "bernoulli":
        require_in_unit_interval(name, images, open_interval=False)


@torch.no_grad()
def evaluate(
    model: VAE,
    images: torch.Tensor,
    beta: float = 1.0,
    batch_size: int = 1000,
    generator: torch.Generator | None = None,
    n_samples: int = 1,
) -> dict:
    """Mean ``elbo``, ``reconstruction`` and ``kl`` per image, in nats.

    The keys are the field names of :class:`~vae_course.elbo.ELBO`; images
    ``[N, 1, 28, 28]`` or flat ``[N, 784]``.
    """
    require_vae(model)
    require_batch("images", images)
    require_positive_int("batch_size", batch_size)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    totals = {"elbo": 0.0, "reconstruction": 0.0, "kl": 0.0}
    try:
        for first in range(0, images.shape[0], batch_size):
            batch = images[first : first + batch_size]
            parts = elbo(model, batch, beta, n_samples, generator)
            for name in totals:
                totals[name] += getattr(parts, name).sum().item()
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    return {name: total / images.shape[0] for name, total in totals.items()}


def _default_optimizer(model, lr: float) -> torch.optim.Optimizer:
    """Adam; the fused kernel (one pass over all weights) where it exists."""
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):  # pragma: no cover
        return torch.optim.Adam(model.parameters(), lr=lr)


def _first_bad_step(stats: torch.Tensor) -> int | None:
    """The 1-based index of the first row whose loss is NaN or infinite."""
    bad = ~torch.isfinite(stats[:, 0])
    if not bad.any():
        return None
    return int(bad.nonzero()[0, 0]) + 1


def train(
    model: VAE,
    data,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    beta: float = 1.0,
    seed: int = 0,
    progress: bool = True,
    kl_warmup_epochs: int = 0,
    free_bits: float = 0.0,
    n_samples: int = 1,
    optimizer: torch.optim.Optimizer | None = None,
) -> History:
    r"""Maximise the (beta-)ELBO of ``model`` on ``data``; return the History.

    Repeats :func:`train_step` over shuffled batches, with the KL weight
    ``beta_t = kl_warmup(t, T, beta)`` at step t (T: the warm-up's steps).

    Args:
        model: a :class:`~vae_course.models.VAE` with parameters (an
            ``nn.Module``); data is moved to its device and dtype.
        data: a :class:`~vae_course.data.MNIST`, a ``(train_images,
            test_images)`` tuple, or a tensor of training images
            (``[N, 1, 28, 28]`` or flat ``[N, 784]``).
        epochs: passes over the training set.
        batch_size, lr: mini-batch size and Adam learning rate.
        beta: KL weight (beta-VAE); 1 for the plain VAE.
        seed: seeds the shuffling and the reparameterization noise
            (deterministic on CPU).
        progress: show a ``tqdm.auto`` bar (a widget in notebooks).
        kl_warmup_epochs: epochs over which beta rises linearly from 0.
        free_bits: floor in nats on each latent dimension's batch-mean KL.
        n_samples: Monte Carlo samples of z per image for the
            reconstruction term.
        optimizer: your own optimizer over ``model.parameters()`` (default:
            Adam(lr), fused where available).

    Raises:
        TrainingError: the loss became NaN or infinite (the message names
            the epoch and the step; lower ``lr``).
    """
    require_vae(model)
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    require_positive_int("n_samples", n_samples)
    require_positive_number("lr", lr)
    beta = require_nonnegative_number("beta", beta)
    require_nonnegative_int("kl_warmup_epochs", kl_warmup_epochs)
    free_bits = require_nonnegative_number("free_bits", free_bits)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    params = list(model.parameters())
    if not params:
        raise ValueError("model has no parameters to train")
    device, dtype = params[0].device, params[0].dtype

    train_x, test_x, binarize = _split(data)
    _check_images("train images", train_x, model.likelihood)
    if test_x is not None:
        _check_images("test images", test_x, model.likelihood)
        test_x = test_x.to(device=device, dtype=dtype)
    # The data lives on the model's device in the weights' dtype.
    train_x = train_x.to(device=device, dtype=dtype)
    n = train_x.shape[0]
    steps_per_epoch = math.ceil(n / batch_size)
    warmup_steps = kl_warmup_epochs * steps_per_epoch

    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    if optimizer is None:
        optimizer = _default_optimizer(model, lr)
    require_optimizer_of(model, optimizer)

    history = History()
    bar = tqdm(
        range(1, epochs + 1),
        desc="training",
        unit="epoch",
        disable=not progress,
    )
    step = 0
    for epoch in bar:
        model.train()
        start = time.perf_counter()
        # per step: loss, summed reconstruction, summed KL, images
        stats = torch.zeros(steps_per_epoch, 4, device=device, dtype=dtype)
        order = torch.randperm(n, generator=generator, device=device)
        for i, first in enumerate(range(0, n, batch_size)):
            x = train_x[order[first : first + batch_size]]
            if binarize:
                x = torch.bernoulli(x, generator=generator)
            step += 1
            beta_t = kl_warmup(step, warmup_steps, beta)
            loss, parts = train_step(
                model, x, optimizer, beta_t, free_bits, n_samples, generator
            )
            stats[i] = torch.stack(
                [
                    loss,
                    parts.reconstruction.detach().sum(),
                    parts.kl.detach().sum(),
                    loss.new_tensor(x.shape[0]),
                ]
            )
        bad = _first_bad_step(stats)
        if bad is not None:
            raise TrainingError(
                f"the loss became {stats[bad - 1, 0].item()} at epoch "
                f"{epoch}, step {bad} of {steps_per_epoch} (step "
                f"{(epoch - 1) * steps_per_epoch + bad} overall); the "
                "learning rate is probably too high: lower lr"
            )
        count = n
        loss_sum = (stats[:, 0] * stats[:, 3]).sum().item()
        recon_sum, kl_sum = stats[:, 1:3].sum(dim=0).tolist()
        seconds = time.perf_counter() - start
        history.epoch.append(epoch)
        history.train_loss.append(loss_sum / count)
        history.train_reconstruction.append(recon_sum / count)
        history.train_kl.append(kl_sum / count)
        history.train_elbo.append((recon_sum - kl_sum) / count)
        history.seconds.append(seconds)
        history.images_per_second.append(count / seconds)
        if test_x is not None:
            eval_generator = torch.Generator(device=device)
            eval_generator.manual_seed(seed + 1)
            scores = evaluate(model, test_x, generator=eval_generator)
            history.test_elbo.append(scores["elbo"])
            history.test_reconstruction.append(scores["reconstruction"])
            history.test_kl.append(scores["kl"])
            bar.set_postfix(test_elbo=f"{scores['elbo']:.1f}")
        else:
            bar.set_postfix(train_elbo=f"{history.train_elbo[-1]:.1f}")
    bar.close()
    model.eval()
    return history
