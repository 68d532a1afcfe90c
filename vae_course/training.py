"""Training a VAE by stochastic gradient ascent on the ELBO (chapter 4).

The loop is the lecture's (forward pass, loss = -(reconstruction - beta * KL), ``zero_grad``,
``backward``, ``step``), written for speed on small data: the whole data set stays as one tensor
on the model's device and each epoch walks a shuffled index in batches, so there is no
per-image ``DataLoader``/``ToTensor`` work. On a 2-core CPU this is several times faster than the
textbook loop (``benchmarks/bench_trainer.py`` measures it).

Two remedies for posterior collapse are built in: KL warm-up (beta rises linearly from 0 over
the first ``kl_warmup_epochs``; Bowman et al. 2016) and free bits (each latent dimension's
batch-averaged KL is floored at ``free_bits`` nats; Kingma et al. 2016).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import torch
from tqdm.auto import tqdm

from ._checks import (
    require_float,
    require_in_unit_interval,
    require_positive_int,
    shape_str,
)
from .elbo import _check_beta, _likelihood_of, elbo
from .kl import gaussian_kl
from .likelihoods import log_likelihood
from .reparam import reparameterize


@dataclass
class History:
    """Per-epoch record of a training run (all values are means over images, in nats).

    ``*_elbo`` is the true ELBO (beta = 1: reconstruction - KL) so runs with different beta
    compare; ``train_loss`` is the objective that was minimised (with beta, warm-up, free bits).
    Train values are averaged over the epoch's batches; test values are measured after the epoch.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_elbo: list = field(default_factory=list)
    train_recon: list = field(default_factory=list)
    train_kl: list = field(default_factory=list)
    test_elbo: list = field(default_factory=list)
    test_recon: list = field(default_factory=list)
    test_kl: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    images_per_second: list = field(default_factory=list)

    @property
    def final(self) -> dict:
        """The last epoch's numbers as a dict (empty before training)."""
        return {k: v[-1] for k, v in asdict(self).items() if v}

    def as_dict(self) -> dict:
        return asdict(self)

    def __len__(self) -> int:
        return len(self.epoch)


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
        "data must be a vae_course.MNIST, a (train_images, test_images) tuple or a tensor of "
        f"training images, got {type(data).__name__}"
    )


def _check_images(name: str, images: torch.Tensor, likelihood: str) -> None:
    require_float(name, images)
    if images.dim() < 2 or images.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape [N, ...] with N >= 1, got {shape_str(images)}"
        )
    if likelihood == "bernoulli":
        require_in_unit_interval(name, images, open_interval=False)


@torch.no_grad()
def evaluate(
    model,
    images: torch.Tensor,
    beta: float = 1.0,
    batch_size: int = 1000,
    generator: torch.Generator | None = None,
    n_samples: int = 1,
) -> dict:
    """Mean ELBO, reconstruction and KL per image (nats) of ``images`` under ``model``, in eval mode."""
    require_positive_int("batch_size", batch_size)
    was_training = model.training
    model.eval()
    totals = {"elbo": 0.0, "recon": 0.0, "kl": 0.0}
    try:
        for start in range(0, images.shape[0], batch_size):
            parts = elbo(
                model,
                images[start : start + batch_size],
                beta=beta,
                n_samples=n_samples,
                generator=generator,
            )
            totals["elbo"] += parts.total.sum().item()
            totals["recon"] += parts.reconstruction.sum().item()
            totals["kl"] += parts.kl.sum().item()
    finally:
        model.train(was_training)
    return {k: v / images.shape[0] for k, v in totals.items()}


def _default_optimizer(
    model, lr: float, device: torch.device
) -> torch.optim.Optimizer:
    """Adam; the fused kernel (one pass over all parameters) where this torch has it for the device."""
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    except (
        RuntimeError,
        TypeError,
        ValueError,
    ):  # pragma: no cover - older torch or exotic device
        return torch.optim.Adam(model.parameters(), lr=lr)


def train(
    model,
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
    r"""Maximise the (beta-)ELBO of ``model`` on ``data`` with Adam; return the per-epoch :class:`History`.

    Each step minimises ``-(mean reconstruction - beta_t * KL_term)`` over a batch, where
    ``beta_t`` ramps from 0 to ``beta`` during KL warm-up and ``KL_term`` is the summed KL, or
    ``sum_j max(free_bits, mean_batch KL_j)`` with free bits.

    Args:
        model: an :class:`~vae_course.models.MLPVAE`, :class:`~vae_course.models.ConvVAE` or any
            module with ``encode``, ``decode`` and ``likelihood``; data is moved to its device.
        data: a :class:`~vae_course.data.MNIST`, a ``(train_images, test_images)`` tuple, or a
            tensor of training images.
        epochs: passes over the training set.
        batch_size, lr: mini-batch size and Adam learning rate.
        beta: KL weight (beta-VAE); 1 for the plain VAE.
        seed: seeds the shuffling and the reparameterization noise (deterministic on CPU).
        progress: show a ``tqdm.auto`` bar (a widget in notebooks, text in a terminal).
        kl_warmup_epochs: epochs over which beta rises linearly from 0 (0: no warm-up).
        free_bits: floor in nats on each latent dimension's batch-mean KL (0: off).
        n_samples: Monte Carlo samples of z per image for the reconstruction term.
        optimizer: your own optimizer (default: Adam(lr), fused where available).
    """
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    require_positive_int("n_samples", n_samples)
    beta = _check_beta(beta)
    if (
        isinstance(kl_warmup_epochs, bool)
        or not isinstance(kl_warmup_epochs, int)
        or kl_warmup_epochs < 0
    ):
        raise ValueError(
            f"kl_warmup_epochs must be an integer >= 0, got {kl_warmup_epochs!r}"
        )
    if (
        not isinstance(free_bits, (int, float))
        or not free_bits >= 0
        or math.isinf(free_bits)
    ):
        raise ValueError(
            f"free_bits must be a finite number >= 0, got {free_bits!r}"
        )
    likelihood = _likelihood_of(model)
    params = list(model.parameters())
    if not params:
        raise ValueError("model has no parameters to train")
    device = params[0].device

    train_x, test_x, binarize = _split(data)
    _check_images("train images", train_x, likelihood)
    if test_x is not None:
        _check_images("test images", test_x, likelihood)
    # The data lives on the model's device in the weights' dtype (float64 pixels become float32).
    dtype = params[0].dtype
    train_x = train_x.to(device=device, dtype=dtype)
    test_x = (
        test_x.to(device=device, dtype=dtype) if test_x is not None else None
    )
    n = train_x.shape[0]
    steps_per_epoch = math.ceil(n / batch_size)
    warmup_steps = kl_warmup_epochs * steps_per_epoch

    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    if optimizer is None:
        optimizer = _default_optimizer(model, lr, device)

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
        sums = torch.zeros(
            4, device=device
        )  # loss, recon, kl (summed over images), images
        order = torch.randperm(n, generator=generator, device=device)
        for first in range(0, n, batch_size):
            x = train_x[order[first : first + batch_size]]
            if binarize:
                x = torch.bernoulli(x, generator=generator)
            mu, logvar = model.encode(x)
            z = reparameterize(
                mu, logvar, n_samples=n_samples, generator=generator
            )
            recon = log_likelihood(
                x, model.decode(z), likelihood, validate=False
            ).mean(dim=0)  # [batch]
            kl_dims = gaussian_kl(mu, logvar, per_dim=True)  # [batch, k]
            kl = kl_dims.sum(dim=1)
            kl_term = (
                kl_dims.mean(dim=0).clamp(min=free_bits).sum()
                if free_bits > 0
                else kl.mean()
            )
            weight = (
                beta * min(1.0, (step + 1) / warmup_steps)
                if warmup_steps
                else beta
            )
            loss = -(recon.mean() - weight * kl_term)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            b = x.shape[0]
            sums += torch.stack(
                [
                    loss.detach() * b,
                    recon.detach().sum(),
                    kl.detach().sum(),
                    x.new_tensor(b),
                ]
            )
        loss_sum, recon_sum, kl_sum, count = sums.tolist()
        seconds = time.perf_counter() - start
        history.epoch.append(epoch)
        history.train_loss.append(loss_sum / count)
        history.train_recon.append(recon_sum / count)
        history.train_kl.append(kl_sum / count)
        history.train_elbo.append((recon_sum - kl_sum) / count)
        history.seconds.append(seconds)
        history.images_per_second.append(count / seconds)
        if test_x is not None:
            eval_generator = torch.Generator(device=device)
            eval_generator.manual_seed(seed + 1)
            scores = evaluate(model, test_x, generator=eval_generator)
            history.test_elbo.append(scores["elbo"])
            history.test_recon.append(scores["recon"])
            history.test_kl.append(scores["kl"])
            bar.set_postfix(test_elbo=f"{scores['elbo']:.1f}")
        else:
            bar.set_postfix(train_elbo=f"{history.train_elbo[-1]:.1f}")
    bar.close()
    model.eval()
    return history
