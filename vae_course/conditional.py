r"""Labels in a VAE: the conditional VAE and Kingma et al.'s M2 (chapter 7).

**Conditional VAE** (Sohn et al. 2015): the decoder p_theta(x | z, y) and the
encoder q_phi(z | x, y) both see the label y (one-hot ``[batch, C]``); the
prior stays p(z) = N(0, I). Its ELBO on log p(x | y) is

    ELBO(x, y) = E_q[log p_theta(x | z, y)] - KL(q_phi(z | x, y) || p(z)),

so z is free to carry what y does not say (the style), and decoding one z
with each y draws one style in every class.

**M2** (Kingma et al. 2014) adds a classifier q_phi(y | x) and a uniform
prior p(y) = 1/C. A labelled image has the bound
L(x, y) = ELBO(x, y) + log p(y) on log p(x, y); an unlabelled one has

    U(x) = sum_y q_phi(y | x) L(x, y) + H[q_phi(y | x)]   <= log p(x),

which enumerates the C labels (C encoder and decoder passes per image). The
classifier only enters U, so M2 adds alpha * log q_phi(y | x) on the labelled
images; the objective minimised is

    -(1/B) [ sum_labelled (L(x, y) + alpha log q_phi(y | x))
             + sum_unlabelled U(x) ].

All values are nats per image.

Labels travel with the images through the trainer (which shuffles images
only): :func:`attach_labels` appends each image's one-hot label, or zeros for
an unlabelled image, as C extra columns ``[N, 784 + C]``;
:func:`split_labels` takes them apart in the objective.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import require_float, require_positive_int, shape_str
from .gaussian import gaussian_kl
from .reparam import reparameterize

_PIXELS = 784


def attach_labels(
    images: torch.Tensor,
    labels: torch.Tensor | None = None,
    n_classes: int = 10,
    labelled: torch.Tensor | None = None,
) -> torch.Tensor:
    """Images ``[N, ...]`` with one-hot labels appended: ``[N, 784 + C]``.

    Rows whose ``labelled`` entry is False (all rows when ``labels`` is
    None) get C zeros: an unlabelled image.
    """
    require_float("images", images)
    require_positive_int("n_classes", n_classes)
    flat = images.flatten(1)
    if flat.shape[1] != _PIXELS:
        raise ValueError(
            f"images must have 784 pixels each, got {shape_str(images)}"
        )
    one_hot = flat.new_zeros(len(flat), n_classes)
    if labels is not None:
        labels = torch.as_tensor(labels, device=flat.device).long()
        if labels.shape != (len(flat),):
            raise ValueError(
                f"labels must have shape [{len(flat)}], got "
                f"{list(labels.shape)}"
            )
        one_hot = F.one_hot(labels, n_classes).to(flat.dtype)
        if labelled is not None:
            one_hot = one_hot * torch.as_tensor(labelled).to(one_hot)[:, None]
    return torch.cat([flat, one_hot], dim=1)


def split_labels(batch: torch.Tensor):
    """``(x [B, 784], y [B, C], is_labelled [B] bool)`` from attach_labels."""
    require_float("batch", batch)
    if batch.dim() != 2 or batch.shape[1] <= _PIXELS:
        raise ValueError(
            "expected images with labels attached, [B, 784 + C] (see "
            f"attach_labels), got {shape_str(batch)}"
        )
    x, y = batch[:, :_PIXELS], batch[:, _PIXELS:]
    return x, y, y.sum(dim=1) > 0.5


class ConditionalVAE(nn.Module):
    r"""An MLP VAE whose encoder and decoder also see the label.

    ``encode(x, y)``: h = ReLU(W_x x + W_y y + b), then (mu, logvar)
    ``[batch, k]``; ``decode(z, y)``: ReLU(V_z z + V_y y + c), then 784
    Bernoulli logits. The label enters through its own weights (W_y, V_y), so
    :func:`all_labels_elbo` evaluates every label with the image's half of
    the first layer computed once. ``classifier``: q_phi(y | x), an MLP
    784-hidden-C returning logits (used by M2 only).
    """

    likelihood = "bernoulli"

    def __init__(
        self, latent_dim: int = 8, n_classes: int = 10, hidden: int = 256
    ):
        super().__init__()
        for name, value in (
            ("latent_dim", latent_dim),
            ("n_classes", n_classes),
            ("hidden", hidden),
        ):
            require_positive_int(name, value)
        self.latent_dim, self.n_classes = latent_dim, n_classes
        self.encoder_x = nn.Linear(_PIXELS, hidden)
        self.encoder_y = nn.Linear(n_classes, hidden, bias=False)
        self.encoder_out = nn.Linear(hidden, 2 * latent_dim)
        self.decoder_z = nn.Linear(latent_dim, hidden)
        self.decoder_y = nn.Linear(n_classes, hidden, bias=False)
        self.decoder_out = nn.Linear(hidden, _PIXELS)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(_PIXELS, hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )  # fmt: skip

    def encode(self, x: torch.Tensor, y: torch.Tensor):
        """(mu, logvar) of q_phi(z | x, y), ``[.., B, k]``; y one-hot."""
        h = F.relu(self.encoder_x(x.flatten(1)) + self.encoder_y(y))
        mu, logvar = self.encoder_out(h).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits ``[..., 784]`` of p_theta(x | z, y)."""
        return self.decoder_out(F.relu(self.decoder_z(z) + self.decoder_y(y)))

    def mean_image(self, logits: torch.Tensor) -> torch.Tensor:
        """Pixel means ``[..., 1, 28, 28]`` from the decoder's logits."""
        return torch.sigmoid(logits).view(*logits.shape[:-1], 1, 28, 28)


def conditional_elbo(
    model: ConditionalVAE,
    x: torch.Tensor,
    y: torch.Tensor,
    generator: torch.Generator | None = None,
) -> dict:
    r"""ELBO(x, y) = E_q[log p(x | z, y)] - KL(q(z | x, y) || N(0, I)).

    One reparameterized z per image; x ``[B, ...]``, y one-hot ``[B, C]``
    (or ``[C, B, C]`` to score every label). Returns
    ``{"elbo", "reconstruction", "kl"}``, each ``[B]`` (or ``[C, B]``) nats.
    """
    mu, logvar = model.encode(x, y)
    z = reparameterize(mu, logvar, generator=generator)
    logits = model.decode(z, y)
    x_flat = x.flatten(1)
    reconstruction = (x_flat * logits - F.softplus(logits)).sum(dim=-1)
    kl = gaussian_kl(mu, logvar)
    return {
        "elbo": reconstruction - kl,
        "reconstruction": reconstruction,
        "kl": kl,
    }


def all_labels_elbo(
    model: ConditionalVAE,
    x: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """ELBO(x, y) for every label y: ``[B, C]`` nats (C passes, batched)."""
    eye = torch.eye(model.n_classes, dtype=x.dtype, device=x.device)
    every = eye[:, None, :].expand(-1, x.shape[0], -1)  # [C, B, C]
    return conditional_elbo(model, x, every, generator)["elbo"].T


def unlabelled_bound(
    model: ConditionalVAE,
    x: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""M2's U(x) = sum_y q(y|x) [ELBO(x, y) + log p(y)] + H[q(y|x)], ``[B]``.

    A lower bound on log p(x) in nats, with p(y) = 1/C.
    """
    log_q_y = F.log_softmax(model.classifier(x), dim=1)  # [B, C]
    q_y = log_q_y.exp()
    joint = all_labels_elbo(model, x, generator) - math.log(model.n_classes)
    return (q_y * (joint - log_q_y)).sum(dim=1)


class ConditionalObjective:
    """Minus the mean conditional ELBO of fully labelled images.

    The batch is images with labels attached (:func:`attach_labels`); parts
    ``{"elbo", "reconstruction", "kl"}`` ``[batch]`` nats.
    """

    def __call__(self, model, batch, generator=None):
        x, y, is_labelled = split_labels(batch)
        if not bool(is_labelled.all()):
            raise ValueError(
                "the conditional VAE needs a label for every image; "
                f"{int((~is_labelled).sum())} of {len(x)} have none"
            )
        parts = conditional_elbo(model, x, y, generator)
        return -parts["elbo"].mean(), {k: v.detach() for k, v in parts.items()}

    def __repr__(self) -> str:
        return "ConditionalObjective()"


class M2Objective:
    r"""Kingma et al.'s M2 objective on labelled and unlabelled rows.

    ``loss = -(1/B)[sum_lab (L(x, y) + alpha log q(y|x)) + sum_unlab U(x)]``
    (module docstring). ``parts``: ``"elbo"``, the bound of each row
    ``[batch]`` nats (L(x, y) for a labelled row, U(x) otherwise), and
    ``"log_q_label"``, log q(y|x) of the true label (0 for unlabelled rows).
    """

    def __init__(self, alpha: float = 50.0):
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise TypeError(f"alpha must be a number, got {alpha!r}")
        if not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        self.alpha = float(alpha)

    def __call__(self, model, batch, generator=None):
        x, y, is_labelled = split_labels(batch)
        log_q_y = F.log_softmax(model.classifier(x), dim=1)
        log_q_label = (y * log_q_y).sum(dim=1)  # 0 where unlabelled
        bound = x.new_zeros(len(x))
        lab = is_labelled.nonzero()[:, 0]
        unlab = (~is_labelled).nonzero()[:, 0]
        if len(lab):
            labelled = conditional_elbo(model, x[lab], y[lab], generator)
            log_p_y = -math.log(model.n_classes)
            bound = bound.index_put((lab,), labelled["elbo"] + log_p_y)
        if len(unlab):
            unlabelled = unlabelled_bound(model, x[unlab], generator)
            bound = bound.index_put((unlab,), unlabelled)
        loss = -(bound + self.alpha * log_q_label).mean()
        parts = {"elbo": bound.detach(), "log_q_label": log_q_label.detach()}
        return loss, parts

    def __repr__(self) -> str:
        return f"M2Objective(alpha={self.alpha})"


@torch.no_grad()
def classify(model: ConditionalVAE, images: torch.Tensor) -> torch.Tensor:
    """M2's prediction argmax_y q_phi(y | x): ``[N]`` labels."""
    return model.classifier(images.flatten(1)).argmax(dim=1)
