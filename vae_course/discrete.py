r"""A VAE with a categorical latent, and three ways to train it (chapter 7).

The latent is one categorical variable with K classes, written one-hot:
z = e_c. The encoder gives logits ``[batch, K]``, q_phi(z = e_c | x) =
softmax(logits)_c; the prior is uniform, p(z = e_c) = 1/K; the decoder maps
z ``[..., K]`` to Bernoulli logits of the 784 pixels. Reparameterization
(chapter 3) needs z to be a differentiable function of phi and noise; a
one-hot draw is not, so the encoder's gradient must come another way:

* **Enumeration** (exact): with one variable of K classes the expectation is
  a sum, E_q[f(z)] = sum_c q_c f(e_c), and autograd differentiates it. It
  costs K decoder passes per latent variable (K^m for m variables), so it is
  the reference on small problems, not a general method.
* **Score function with a baseline** (chapter 2): grad_phi E_q[f] =
  E_q[(f(z) - b) grad_phi log q_phi(z|x)], with the leave-one-out baseline b
  of chapter 2 (the mean f of the other samples of the same image).
  Unbiased, noisy.
* **Gumbel-softmax / Concrete** (Jang et al. 2017; Maddison et al. 2017): with
  g_c = -log(-log u_c), u_c ~ U(0, 1), argmax_c(logits_c + g_c) is an exact
  categorical sample (the Gumbel-max trick), and its relaxation
  y = softmax((logits + g) / tau) is differentiable in the logits. The
  decoder is fed y instead of a one-hot vector: biased for tau > 0, with
  variance that grows as tau -> 0. The **straight-through** variant feeds the
  one-hot argmax forward and takes the gradient of y backward.

KL(q_phi(z|x) || p(z)) = sum_c q_c log q_c + log K is exact for every
method, and every objective reports the exact ELBO (by enumeration, which is
cheap here because the decoder is evaluated at the K one-hot codes once per
batch), so runs compare in the same nats.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import require_float, require_positive_int, shape_str

METHODS = (
    "enumeration",
    "score_function",
    "gumbel_softmax",
    "straight_through",
)


def _require_logits(logits: torch.Tensor) -> torch.Tensor:
    require_float("logits", logits)
    if logits.dim() != 2 or logits.shape[1] < 2:
        raise ValueError(
            "logits must have shape [batch, K] with K >= 2 classes, got "
            f"{shape_str(logits)}"
        )
    return logits


def _require_tau(tau) -> float:
    if isinstance(tau, bool) or not isinstance(tau, (int, float)):
        raise TypeError(f"tau must be a number, got {tau!r}")
    if not tau > 0 or not math.isfinite(tau):
        raise ValueError(f"tau must be a positive temperature, got {tau}")
    return float(tau)


def categorical_kl(logits: torch.Tensor) -> torch.Tensor:
    r"""KL(Cat(softmax(logits)) || uniform) = sum_c q_c log q_c + log K.

    ``logits`` ``[batch, K]`` -> ``[batch]`` nats, between 0 (q uniform) and
    log K (q one-hot).
    """
    _require_logits(logits)
    log_q = F.log_softmax(logits, dim=1)
    return (log_q.exp() * log_q).sum(dim=1) + math.log(logits.shape[1])


def gumbel_noise(
    shape, generator: torch.Generator | None = None, like=None
) -> torch.Tensor:
    r"""Standard Gumbel noise g = -log(-log u), u ~ U(0, 1), of ``shape``."""
    kwargs = {}
    if like is not None:
        kwargs = {"dtype": like.dtype, "device": like.device}
    u = torch.rand(shape, generator=generator, **kwargs)
    tiny = torch.finfo(u.dtype).tiny
    return -torch.log(-torch.log(u.clamp_min(tiny)))


def gumbel_softmax_sample(
    logits: torch.Tensor,
    tau: float,
    generator: torch.Generator | None = None,
    hard: bool = False,
) -> torch.Tensor:
    r"""A Concrete sample y = softmax((logits + g) / tau), ``[batch, K]``.

    ``hard=True``: the straight-through sample, one_hot(argmax y) in the
    forward pass with the gradient of y (``hard + y - y.detach()``). The
    argmax of y is an exact draw from Cat(softmax(logits)) for every tau.
    """
    _require_logits(logits)
    tau = _require_tau(tau)
    g = gumbel_noise(logits.shape, generator, like=logits)
    y = F.softmax((logits + g) / tau, dim=1)
    if not hard:
        return y
    one_hot = torch.zeros_like(y).scatter(1, y.argmax(1, keepdim=True), 1.0)
    return one_hot + y - y.detach()


def categorical_sample(
    logits: torch.Tensor,
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One-hot draws ``[n_samples, batch, K]`` (Gumbel-max), no gradient."""
    _require_logits(logits)
    require_positive_int("n_samples", n_samples)
    g = gumbel_noise((n_samples, *logits.shape), generator, like=logits)
    classes = (logits.detach() + g).argmax(dim=-1)
    return F.one_hot(classes, logits.shape[1]).to(logits.dtype)


def bernoulli_log_likelihood(x_flat, pixel_logits):
    # log p(x|z) = sum_d x_d l_d - softplus(l_d); broadcasts leading dims
    return (x_flat * pixel_logits - F.softplus(pixel_logits)).sum(dim=-1)


class CategoricalVAE(nn.Module):
    """An MLP VAE whose latent is one categorical variable of K classes.

    ``encoder``: 784-hidden-K, ReLU, output the logits of q_phi(z|x).
    ``decoder``: K-hidden-784, ReLU, output the Bernoulli logits of
    p_theta(x|z); it accepts one-hot codes and relaxed (simplex) codes
    ``[..., K]``.
    """

    likelihood = "bernoulli"

    def __init__(self, n_classes: int = 10, hidden: int = 256):
        super().__init__()
        require_positive_int("n_classes", n_classes)
        require_positive_int("hidden", hidden)
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {n_classes}")
        self.n_classes = n_classes
        self.encoder = nn.Sequential(
            nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )  # fmt: skip
        self.decoder = nn.Sequential(
            nn.Linear(n_classes, hidden), nn.ReLU(), nn.Linear(hidden, 784)
        )

    @torch.no_grad()
    def start_at_mean(self, images: torch.Tensor) -> CategoricalVAE:
        r"""Set the decoder's output bias to logit(mean training image).

        Every class then starts by drawing the average digit, and the classes
        compete on how images differ from it; from the default start one
        class tends to win every image before the others learn anything (all
        images in one class, KL = log K). Returns the model.
        """
        require_float("images", images)
        mean = images.flatten(1).mean(dim=0).clamp(1e-3, 1 - 1e-3)
        self.decoder[-1].bias.copy_(torch.logit(mean))
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The encoder's logits ``[batch, K]``."""
        return self.encoder(x)

    def prototypes(self) -> torch.Tensor:
        """Decoder means at the K one-hot codes: ``[K, 1, 28, 28]``."""
        one_hot = torch.eye(
            self.n_classes,
            device=self.decoder[0].weight.device,
            dtype=self.decoder[0].weight.dtype,
        )
        return torch.sigmoid(self.decoder(one_hot)).view(-1, 1, 28, 28)


def class_log_likelihoods(model: CategoricalVAE, x: torch.Tensor):
    r"""f_c = log p_theta(x | z = e_c) for every class: ``[batch, K]`` nats.

    The decoder runs once on the K one-hot codes (``[K, 784]`` logits), and
    each image is scored against all K of them.
    """
    one_hot = torch.eye(
        model.n_classes, device=x.device, dtype=x.dtype
    )  # [K, K]
    pixel_logits = model.decoder(one_hot)  # [K, 784]
    # sum_d x_d l_cd - softplus(l_cd), for all images and classes at once
    return x.flatten(1) @ pixel_logits.T - F.softplus(pixel_logits).sum(1)


def categorical_elbo(model: CategoricalVAE, x: torch.Tensor) -> dict:
    r"""The exact ELBO by enumeration, per image ``[batch]`` nats.

    ELBO = sum_c q_c log p_theta(x|e_c) - KL(q || uniform). Returns the
    parts ``{"elbo", "reconstruction", "kl"}``, differentiable in phi and
    theta.
    """
    logits = model.encoder(x)
    q = F.softmax(logits, dim=1)
    reconstruction = (q * class_log_likelihoods(model, x)).sum(dim=1)
    kl = categorical_kl(logits)
    return {
        "elbo": reconstruction - kl,
        "reconstruction": reconstruction,
        "kl": kl,
    }


def reconstruction_surrogate(
    model: CategoricalVAE,
    x: torch.Tensor,
    logits: torch.Tensor,
    method: str,
    generator: torch.Generator | None = None,
    n_samples: int = 2,
    tau: float = 1.0,
) -> torch.Tensor:
    r"""A ``[batch]`` surrogate whose gradient estimates grad E_q[log p(x|z)].

    Its gradient in ``logits`` (and so in phi) is, per ``method``:

    * ``"enumeration"``: exact, sum_c softmax(logits)_c f_c;
    * ``"score_function"``: (1/M) sum_m (f_m - b_m) grad log q(z_m|x), b_m
      the leave-one-out baseline over M = ``n_samples`` >= 2 draws;
    * ``"gumbel_softmax"``: (1/M) sum_m grad f(y_m), y_m relaxed at ``tau``;
    * ``"straight_through"``: the same with the one-hot argmax forward.

    Its gradient in theta is unbiased for the first two (for the relaxed
    methods the decoder learns at relaxed codes). Its *value* is not an ELBO
    for the score function: use :func:`categorical_elbo` for that.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    require_positive_int("n_samples", n_samples)
    x_flat = x.flatten(1)
    if method == "enumeration":
        q = F.softmax(logits, dim=1)
        return (q * class_log_likelihoods(model, x)).sum(dim=1)
    if method == "score_function":
        if n_samples < 2:
            raise ValueError(
                "the leave-one-out baseline needs n_samples >= 2, got "
                f"{n_samples}"
            )
        z = categorical_sample(logits, n_samples, generator)  # [M, b, K]
        f = bernoulli_log_likelihood(x_flat, model.decoder(z))  # [M, b]
        log_q = (z * F.log_softmax(logits, dim=1)).sum(dim=-1)  # [M, b]
        f_const = f.detach()
        baseline = (f_const.sum(dim=0) - f_const) / (n_samples - 1)
        return (f + (f_const - baseline) * log_q).mean(dim=0)
    hard = method == "straight_through"
    expanded = logits.expand(n_samples, *logits.shape)  # [M, b, K]
    y = gumbel_softmax_sample(
        expanded.reshape(-1, logits.shape[1]), tau, generator, hard
    ).view(expanded.shape)
    return bernoulli_log_likelihood(x_flat, model.decoder(y)).mean(dim=0)


class CategoricalObjective:
    r"""Minus the ELBO of a :class:`CategoricalVAE`, trained by ``method``.

    ``loss = -mean_batch(surrogate - KL)``, with the reconstruction
    surrogate of :func:`reconstruction_surrogate`; ``parts`` are the exact
    ELBO's ``{"elbo", "reconstruction", "kl"}`` ``[batch]`` nats, so every
    method's history is in the same units. Fits the trainer's contract:
    ``objective(model, x, generator) -> (loss, parts)``.
    """

    def __init__(
        self, method: str = "enumeration", n_samples: int = 2, tau=1.0
    ):
        if method not in METHODS:
            raise ValueError(
                f"method must be one of {METHODS}, got {method!r}"
            )
        require_positive_int("n_samples", n_samples)
        if method == "score_function" and n_samples < 2:
            raise ValueError(
                "the score function's baseline needs n_samples >= 2, got "
                f"{n_samples}"
            )
        self.method, self.n_samples = method, n_samples
        self.tau = _require_tau(tau)

    def __call__(self, model, x, generator=None):
        logits = model.encoder(x)
        surrogate = reconstruction_surrogate(
            model, x, logits, self.method, generator, self.n_samples, self.tau
        )
        kl = categorical_kl(logits)
        loss = -(surrogate - kl).mean()
        with torch.no_grad():
            q = F.softmax(logits, dim=1)
            recon = (q * class_log_likelihoods(model, x)).sum(dim=1)
        parts = {
            "elbo": recon - kl.detach(),
            "reconstruction": recon,
            "kl": kl.detach(),
        }
        return loss, parts

    def __repr__(self) -> str:
        return (
            f"CategoricalObjective({self.method!r}, "
            f"n_samples={self.n_samples}, tau={self.tau})"
        )


def logit_gradients(
    model: CategoricalVAE,
    x: torch.Tensor,
    method: str,
    n_repeats: int,
    generator: torch.Generator | None = None,
    n_samples: int = 2,
    tau: float = 1.0,
) -> torch.Tensor:
    r"""``n_repeats`` independent estimates of d E_q[log p(x|z)] / d logits.

    Returns ``[n_repeats, batch, K]``: each image's gradient with respect to
    its own encoder logits (each image's term depends on its logits only, so
    one backward pass gives every image's gradient). ``"enumeration"`` gives
    the exact gradient in every row. The decoder's weights get no gradient.
    """
    require_positive_int("n_repeats", n_repeats)
    with torch.no_grad():
        logits = model.encoder(x)
    leaf = logits.expand(n_repeats, *logits.shape).clone().requires_grad_()
    batch = x.shape[0]
    x_rep = x.expand(n_repeats, *x.shape).reshape(n_repeats * batch, -1)
    surrogate = reconstruction_surrogate(
        model,
        x_rep,
        leaf.view(n_repeats * batch, -1),
        method,
        generator,
        n_samples,
        tau,
    )
    (grad,) = torch.autograd.grad(surrogate.sum(), leaf)
    return grad


def matched_accuracy(assigned, labels) -> float:
    r"""Accuracy of the best one-to-one map from learned classes to labels.

    ``assigned`` and ``labels`` are ``[N]`` integers; the map is the
    Hungarian matching on their contingency table (the clustering accuracy
    of unsupervised classification). 1 when the classes are the labels up
    to renaming; about 1/K for an unrelated partition into K equal classes.
    """
    from scipy.optimize import linear_sum_assignment

    assigned = torch.as_tensor(assigned).long().flatten().cpu()
    labels = torch.as_tensor(labels).long().flatten().cpu()
    if assigned.shape != labels.shape or assigned.numel() == 0:
        raise ValueError(
            "assigned and labels must be non-empty and the same length, got "
            f"{assigned.numel()} and {labels.numel()}"
        )
    if assigned.min() < 0 or labels.min() < 0:
        raise ValueError("classes and labels must be non-negative integers")
    size = int(max(assigned.max(), labels.max())) + 1
    pairs = assigned * size + labels  # one index per (class, label) pair
    table = torch.bincount(pairs, minlength=size * size).view(size, size)
    rows, cols = linear_sum_assignment(-table.numpy())
    return float(table[rows, cols].sum()) / labels.numel()
