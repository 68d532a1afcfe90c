"""How fast is ``vc.train``? The same MLPVAE (784-400-20), trained two ways.

1. ``vc.train``: the data set stays as one tensor on the device and each
   epoch walks a shuffled index in batches of 128.
2. The textbook loop of pytorch/examples ``vae/main.py``: a torchvision-style
   ``Dataset`` of uint8 images turned into PIL images and then tensors by
   ``transforms.ToTensor()`` one at a time, a
   ``DataLoader(batch_size=128, shuffle=True)``, forward, BCE (sum) + KL,
   Adam.

Both start from the same initial weights, run the same number of epochs and
are scored with ``vc.evaluate`` on the test images (nats per image). A third
measurement is the compute limit: ``vc.train_step``, the very step
``vc.train`` runs (and chapter 4 shows), repeated on one batch of 128 that
stays on the device, with the optimizer the trainer builds: no data handling
at all.

Usage (from the repository root)::

    python benchmarks/bench_trainer.py         # offline sample, 5 epochs
    python benchmarks/bench_trainer.py --full  # the 60,000 MNIST images
    python benchmarks/bench_trainer.py --device cpu --threads 2 --epochs 5

Throughput figures on a shared machine are noisy: run it more than once.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

import vae_course as vc

BATCH_SIZE = 128
LR = 1e-3


# ---------------------------------------------------------- the textbook loop
class DigitImages(Dataset):
    """A torchvision-MNIST-style data set: uint8 pixels, one PIL image per
    item, then a transform."""

    def __init__(
        self, images: torch.Tensor, labels: torch.Tensor, transform=None
    ):
        self.data = (
            (images[:, 0] * 255).round().to(torch.uint8)
        )  # [N, 28, 28], as MNIST stores it
        self.targets = labels
        self.transform = transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int):
        image = Image.fromarray(self.data[index].numpy(), mode="L")
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])


def textbook_epoch(model, loader, optimizer, device) -> tuple[float, int]:
    """One epoch of the pytorch/examples loop; returns (seconds, images)."""
    model.train()
    seen = 0
    start = time.perf_counter()
    for x, _ in loader:
        x = x.to(device)
        optimizer.zero_grad()
        logits, mu, logvar = model(x)
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        loss = bce + kld
        loss.backward()
        optimizer.step()
        seen += x.shape[0]
    synchronize(device)
    return time.perf_counter() - start, seen


# -------------------------------------------------------------- compute limit
def trainer_optimizer(model) -> torch.optim.Optimizer:
    """The optimizer ``vc.train`` builds by default: Adam(lr=1e-3), fused where
    torch has it."""
    try:
        return torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(model.parameters(), lr=LR)


class ComputeLimit:
    """``vc.train_step`` repeated on one resident batch: no data handling.

    The very step ``vc.train`` runs (the one chapter 4 shows), with the
    optimizer the trainer builds.
    """

    def __init__(self, make_model, batch: torch.Tensor, device: torch.device):
        self.model = make_model().to(device)
        self.optimizer = trainer_optimizer(self.model)
        self.generator = torch.Generator(device=device).manual_seed(0)
        self.objective = vc.ELBOObjective()  # vc.train's default loss
        self.batch, self.device = batch, device
        for _ in range(10):  # warm-up
            self.step()

    def step(self) -> None:
        vc.train_step(
            self.model,
            self.batch,
            self.optimizer,
            self.objective,
            self.generator,
        )

    def run(self, steps: int) -> float:
        """Seconds for ``steps`` steps."""
        synchronize(self.device)
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        synchronize(self.device)
        return time.perf_counter() - start


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())
    except (
        AttributeError,
        OSError,
    ):  # pragma: no cover - not on every platform
        return "load average unknown"


# ----------------------------------------------------------------------- main
def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=5,
        help="epochs for each of the two trainings (default 5)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="the 60,000 MNIST training images (default: offline sample)",
    )
    parser.add_argument(
        "--device", default=None, help="cpu, cuda, mps (default: vc.device())"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch intra-op threads (default: torch's choice)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device) if args.device else vc.device()
    try:
        data = vc.load_mnist(source="torchvision" if args.full else "offline")
    except vc.DataError as exc:
        parser.exit(2, f"bench_trainer.py: {exc}\n")
    n_train = data.train_images.shape[0]

    def make_model():
        torch.manual_seed(args.seed)  # the same initial weights for every run
        return vc.MLPVAE(latent_dim=20, hidden_dim=400)

    print(
        f"torch {torch.__version__} on {device} "
        f"({torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
        f"{platform.machine()}); {load_average()}"
    )
    print(
        f"MLPVAE 784-400-20, batch {BATCH_SIZE}, Adam lr {LR}, "
        f"{args.epochs} epochs of {n_train:,} images, seed {args.seed}"
    )
    test_images = data.test_images.to(device)

    def test_loss(model) -> float:
        return -vc.evaluate(
            model,
            test_images,
            generator=torch.Generator(device=device).manual_seed(1),
        )["elbo"]

    # The three measurements take turns, one epoch each, so that a machine
    # shared with other jobs slows them alike: vc.train is called once per
    # epoch with one persistent optimizer (the one it builds by default), and
    # its history times the training pass only, not the test evaluation.
    steps_per_epoch = -(-n_train // BATCH_SIZE)
    trainer_model = make_model().to(device)
    trainer_opt = trainer_optimizer(trainer_model)
    torch.manual_seed(args.seed)  # the DataLoader's shuffling
    loader = DataLoader(
        DigitImages(
            data.train_images,
            data.train_labels,
            transform=transforms.ToTensor(),
        ),
        batch_size=BATCH_SIZE,
        shuffle=True,
    )
    textbook_model = make_model().to(device)
    textbook_opt = torch.optim.Adam(textbook_model.parameters(), lr=LR)
    limit = ComputeLimit(
        make_model, data.train_images[:BATCH_SIZE].to(device), device
    )
    seconds = {"trainer": [], "textbook": [], "limit": []}
    for epoch in range(args.epochs):
        history = vc.train(
            trainer_model,
            data,
            epochs=1,
            batch_size=BATCH_SIZE,
            lr=LR,
            seed=args.seed + epoch,
            progress=False,
            optimizer=trainer_opt,
        )
        seconds["trainer"].append(history.seconds[0])
        seconds["textbook"].append(
            textbook_epoch(textbook_model, loader, textbook_opt, device)[0]
        )
        seconds["limit"].append(
            limit.run(steps_per_epoch)
            * n_train
            / (steps_per_epoch * BATCH_SIZE)
        )
    # images/s over all epochs, and in the best epoch (the least disturbed by
    # other jobs)
    trainer, textbook, limit = (
        (n_train * args.epochs / sum(seconds[k]), n_train / min(seconds[k]))
        for k in ("trainer", "textbook", "limit")
    )
    trainer_loss, textbook_loss = (
        test_loss(trainer_model),
        test_loss(textbook_model),
    )

    name = "{:52s}"
    speed = "{:10,.0f} {:11,.0f}"
    print(
        name.format(""),
        "{:>10s} {:>11s} {:>23s}".format(
            "images/s", "best epoch", "test loss (nats/image)"
        ),
    )
    print(name.format("vc.train"), speed.format(*trainer), end="")
    print(f" {trainer_loss:23.2f}")
    textbook_name = "textbook loop (Dataset + ToTensor + DataLoader)"
    print(name.format(textbook_name), speed.format(*textbook), end="")
    print(f" {textbook_loss:23.2f}")
    limit_name = "compute limit (vc.train_step on one resident batch)"
    print(name.format(limit_name), speed.format(*limit))
    speed_up = trainer[0] / textbook[0]
    best_speed_up = trainer[1] / textbook[1]
    loss_gap = trainer_loss - textbook_loss
    print(
        f"speed-up of vc.train over the textbook loop: {speed_up:.2f}x "
        f"(best epochs {best_speed_up:.2f}x; target >= 3x); test-loss "
        f"difference {loss_gap:+.2f} nats/image (target within 1)"
    )
    share = 100 * trainer[0] / limit[0]
    best_share = 100 * trainer[1] / limit[1]
    print(
        f"vc.train runs at {share:.0f}% of the compute limit (best epochs "
        f"{best_share:.0f}%; target >= 90%); {load_average()}"
    )
    return {
        "trainer_images_per_s": trainer[0],
        "textbook_images_per_s": textbook[0],
        "limit_images_per_s": limit[0],
        "trainer_test_loss": trainer_loss,
        "textbook_test_loss": textbook_loss,
    }


if __name__ == "__main__":
    main()
