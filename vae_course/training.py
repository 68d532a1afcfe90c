"""The course's one training loop (chapter 4; chapters 1 and 2 use it too).

:func:`train_step` is the lecture's step: the objective's loss,
``zero_grad``, ``backward``, ``step``. :func:`train` repeats it over
shuffled batches for any objective (:mod:`vae_course.objectives`): the
ELBO (the default), the score-function surrogate of chapter 2 or the
autoencoder's reconstruction loss. It is written for speed on small data:
the whole data set stays as one tensor on the model's device and each epoch
walks a shuffled index, so there is no per-image ``DataLoader``/``ToTensor``
work (``benchmarks/bench_trainer.py`` measures it against the textbook
loop), and the epoch's statistics stay on the device until its end.
"""

from __future__ import annotations

import math
import time

import torch
from tqdm.auto import tqdm

from ._checks import (
    require_batch,
    require_finite,
    require_nonnegative_int,
    require_positive_int,
    require_positive_number,
    shape_str,
)
from .models import require_vae
from .objectives import ELBOObjective, evaluate, require_objective


class TrainingError(RuntimeError):
    """Training went wrong in a way the data or settings cause (a NaN loss)."""


class History:
    """Per-epoch record of a training run (means over images, in nats).

    ``epoch``, ``train_loss`` (the objective that was minimised, with beta,
    warm-up and free bits), ``seconds`` and ``images_per_second``, and for
    every part the objective reports (``elbo``, ``reconstruction``, ``kl``
    for the ELBO), ``train_<part>`` (the epoch's mean over its batches) and
    ``test_<part>`` (measured on the held-out images after the epoch, by
    the same objective without gradients): ``history.test_elbo`` is a list
    with one value per epoch.
    """

    def __init__(self):
        self.columns = {
            "epoch": [],
            "train_loss": [],
            "seconds": [],
            "images_per_second": [],
        }

    def __getattr__(self, name: str) -> list:
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name]
        raise AttributeError(
            f"History has no {name!r}; it records {sorted(columns)}"
        )

    def record(self, **values: float) -> None:
        """Append one epoch's values, by column name."""
        for name, value in values.items():
            self.columns.setdefault(name, []).append(value)

    @property
    def final(self) -> dict:
        """The last epoch's numbers as a dict (empty before training)."""
        return {k: v[-1] for k, v in self.columns.items() if v}

    def as_dict(self) -> dict:
        """Every column, as lists."""
        return {k: list(v) for k, v in self.columns.items()}

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __repr__(self) -> str:
        return f"History({len(self)} epochs: {', '.join(self.columns)})"


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


def train_step(model, x, optimizer, loss, generator=None):
    r"""One step of gradient descent on the objective ``loss`` (chapter 4).

    ``loss(model, x, generator)`` gives the scalar and its parts (for the
    ELBO: ``-(mean_batch reconstruction - beta * KL_term)``, see
    :class:`~vae_course.objectives.ELBOObjective`); then ``zero_grad``,
    ``backward``, ``step``. Returns the loss (a detached scalar) and the
    parts, a dict of ``[batch]`` tensors in nats.
    """
    require_optimizer_of(model, optimizer)
    value, parts = loss(model, x, generator)
    optimizer.zero_grad(set_to_none=True)
    value.backward()
    optimizer.step()
    return value.detach(), parts


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


def _check_images(name: str, images, model) -> None:
    require_batch(name, images)
    if images.dim() < 2:
        raise ValueError(
            f"{name} must have shape [N, ...] with N >= 1, "
            f"got {shape_str(images)}"
        )
    require_finite(name, images)
    likelihood = getattr(model, "likelihood", None)
    if likelihood is not None and hasattr(likelihood, "check_data"):
        likelihood.check_data(name, images)


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
    model,
    data,
    epochs: int,
    *,
    loss=None,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
    optimizer: torch.optim.Optimizer | None = None,
    beta: float = 1.0,
    kl_warmup_epochs: int = 0,
    free_bits: float = 0.0,
    n_samples: int = 1,
) -> History:
    r"""Minimise the objective ``loss`` of ``model`` on ``data``; a History.

    Repeats :func:`train_step` over shuffled batches, calling
    ``loss.on_step(step, steps_per_epoch)`` first when the objective has
    it (KL warm-up lives there), and measures the objective's parts on the
    test images after every epoch.

    Args:
        model: an ``nn.Module`` the objective accepts (a
            :class:`~vae_course.models.VAE` for the ELBO); data is moved to
            its device and dtype.
        data: a :class:`~vae_course.data.MNIST`, a ``(train_images,
            test_images)`` tuple, or a tensor of training images
            (``[N, 1, 28, 28]`` or flat ``[N, 784]``).
        epochs: passes over the training set.
        loss: the objective (:mod:`vae_course.objectives`); default
            ``ELBOObjective(beta, free_bits, kl_warmup_epochs * steps per
            epoch, n_samples)`` from the four keywords below.
        batch_size, lr: mini-batch size and Adam learning rate.
        seed: seeds the shuffling and the objective's noise
            (deterministic on CPU).
        progress: show a ``tqdm.auto`` bar (a widget in notebooks).
        optimizer: your own optimizer over ``model.parameters()`` (default:
            Adam(lr), fused where available).
        beta, kl_warmup_epochs, free_bits, n_samples: build the default
            ELBO objective (KL weight, epochs of linear warm-up from 0,
            free bits in nats per dimension, samples of z per image);
            refused together with ``loss``.

    Raises:
        TrainingError: the loss became NaN or infinite (the message names
            the epoch and the step; lower ``lr``).
    """
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    require_positive_number("lr", lr)
    require_nonnegative_int("kl_warmup_epochs", kl_warmup_epochs)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    shortcuts = {
        "beta": beta != 1.0,
        "kl_warmup_epochs": kl_warmup_epochs != 0,
        "free_bits": free_bits != 0.0,
        "n_samples": n_samples != 1,
    }
    if loss is not None and any(shortcuts.values()):
        named = [name for name, used in shortcuts.items() if used]
        raise ValueError(
            f"pass {', '.join(named)} to the objective, not to train, "
            f"when loss is given (loss={loss!r})"
        )
    if loss is None:
        require_vae(model)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(
            f"model must be a torch.nn.Module, got {type(model).__name__}"
        )
    params = list(model.parameters())
    if not params:
        raise ValueError("model has no parameters to train")
    device, dtype = params[0].device, params[0].dtype

    train_x, test_x, binarize = _split(data)
    _check_images("train images", train_x, model)
    if test_x is not None:
        _check_images("test images", test_x, model)
        test_x = test_x.to(device=device, dtype=dtype)
    # The data lives on the model's device in the weights' dtype.
    train_x = train_x.to(device=device, dtype=dtype)
    n = train_x.shape[0]
    steps_per_epoch = math.ceil(n / batch_size)
    if loss is None:
        loss = ELBOObjective(
            beta, free_bits, kl_warmup_epochs * steps_per_epoch, n_samples
        )
    loss = require_objective(loss)
    on_step = getattr(loss, "on_step", None)

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
    names = None  # the objective's parts, known after the first step
    step = 0
    for epoch in bar:
        model.train()
        start = time.perf_counter()
        stats = None  # per step: loss, images, then each part's sum
        order = torch.randperm(n, generator=generator, device=device)
        for i, first in enumerate(range(0, n, batch_size)):
            x = train_x[order[first : first + batch_size]]
            if binarize:
                x = torch.bernoulli(x, generator=generator)
            step += 1
            if on_step is not None:
                on_step(step, steps_per_epoch)
            value, parts = train_step(model, x, optimizer, loss, generator)
            if names is None:
                names = _part_names(parts)
            if stats is None:
                width = 2 + len(names)
                stats = torch.zeros(
                    steps_per_epoch, width, device=device, dtype=dtype
                )
            stats[i] = torch.stack(
                [value, value.new_tensor(x.shape[0])]
                + [parts[name].detach().sum() for name in names]
            )
        bad = _first_bad_step(stats)
        if bad is not None:
            raise TrainingError(
                f"the loss became {stats[bad - 1, 0].item()} at epoch "
                f"{epoch}, step {bad} of {steps_per_epoch} (step "
                f"{(epoch - 1) * steps_per_epoch + bad} overall); the "
                "learning rate is probably too high: lower lr"
            )
        loss_sum = (stats[:, 0] * stats[:, 1]).sum().item()
        sums = stats[:, 2:].sum(dim=0).tolist()
        seconds = time.perf_counter() - start
        history.record(
            epoch=epoch,
            train_loss=loss_sum / n,
            seconds=seconds,
            images_per_second=n / seconds,
            **{f"train_{k}": v / n for k, v in zip(names, sums, strict=True)},
        )
        if test_x is not None:
            eval_generator = torch.Generator(device=device)
            eval_generator.manual_seed(seed + 1)
            scores = evaluate(model, test_x, loss, generator=eval_generator)
            history.record(**{f"test_{k}": v for k, v in scores.items()})
            bar.set_postfix(_postfix(scores, "test"))
        else:
            bar.set_postfix(_postfix(history.final, "train"))
    bar.close()
    model.eval()
    return history


def _part_names(parts) -> list[str]:
    """The parts' names, after checking that they are per-image tensors."""
    if not isinstance(parts, dict) or not all(
        isinstance(v, torch.Tensor) and v.dim() == 1 for v in parts.values()
    ):
        raise TypeError(
            "an objective must return (loss, parts) with parts a dict of "
            "per-image tensors [batch], e.g. {'elbo': ...}; got "
            f"{type(parts).__name__}"
        )
    return list(parts)


def _postfix(scores: dict, prefix: str) -> dict:
    """The progress bar's note: the ELBO if measured, else the first part."""
    if prefix == "train":
        scores = {
            k.removeprefix("train_"): v
            for k, v in scores.items()
            if k.startswith("train_") and k != "train_loss"
        }
    if not scores:
        return {}
    name = "elbo" if "elbo" in scores else next(iter(scores))
    return {f"{prefix}_{name}": f"{scores[name]:.1f}"}
