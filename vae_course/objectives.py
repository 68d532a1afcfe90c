r"""What the trainer minimises: objectives (chapters 1, 2 and 4).

An objective is any callable ``loss(model, x, generator) -> (loss, parts)``:
``loss`` is the scalar to minimise and ``parts`` a dict of per-image tensors
``[batch]`` in nats that the trainer records as ``train_<part>`` and
``test_<part>`` (:class:`~vae_course.training.History`). An objective may
define ``on_step(step, steps_per_epoch)``, which the trainer calls before
each step (``step`` counts from 1 over the whole run): schedules such as KL
warm-up live there. Three objectives of the course:

* :class:`ELBOObjective` (chapter 4): minus the (beta-)ELBO, with KL warm-up
  and free bits, through the reparameterization trick;
* :class:`ScoreFunctionObjective` (chapter 2): a surrogate whose gradient is
  the score-function estimate of the ELBO's gradient;
* :class:`ReconstructionObjective` (chapter 1): the plain autoencoder's
  loss, minus log p(x | z = encoder(x)).

:func:`evaluate` measures an objective's parts on held-out images.
"""

from __future__ import annotations

import torch

from ._checks import (
    require_batch,
    require_nonnegative_int,
    require_nonnegative_number,
    require_positive_int,
)
from .bounds import elbo_from_outputs
from .collapse import free_bits_kl, kl_warmup
from .gaussian import gaussian_kl, log_normal_diag
from .models import require_autoencoder, require_input, require_vae
from .reparam import reparameterize


class ELBOObjective:
    r"""Minus the (beta-)ELBO of a batch, the VAE's loss (chapter 4).

    ``loss = -(mean_batch reconstruction - beta_t * KL_term)``, where
    ``KL_term`` is the batch-mean KL, floored per dimension by free bits
    when ``free_bits > 0`` (:func:`~vae_course.collapse.free_bits_kl`), and
    ``beta_t = kl_warmup(t, kl_warmup_steps, beta)`` at step t. The parts
    are the true ELBO's (beta = 1): ``elbo = reconstruction - kl``, each
    ``[batch]`` nats, so runs with different beta compare.

    Args:
        beta: KL weight (beta-VAE); 1 for the plain VAE.
        free_bits: floor in nats on each latent dimension's batch-mean KL.
        kl_warmup_steps: steps over which the KL weight rises from 0 to
            beta (0: no warm-up).
        n_samples: Monte Carlo samples of z per image for the
            reconstruction term.
    """

    def __init__(
        self,
        beta: float = 1.0,
        free_bits: float = 0.0,
        kl_warmup_steps: int = 0,
        n_samples: int = 1,
    ):
        self.beta = require_nonnegative_number("beta", beta)
        self.free_bits = require_nonnegative_number("free_bits", free_bits)
        self.kl_warmup_steps = require_nonnegative_int(
            "kl_warmup_steps", kl_warmup_steps
        )
        self.n_samples = require_positive_int("n_samples", n_samples)
        self.beta_now = kl_warmup(1, self.kl_warmup_steps, self.beta)

    def on_step(self, step: int, steps_per_epoch: int) -> None:
        """Set the KL weight of step t: ``beta * min(1, t / T)``."""
        self.beta_now = kl_warmup(step, self.kl_warmup_steps, self.beta)

    def __call__(self, model, x, generator=None):
        """``(loss, {"elbo", "reconstruction", "kl"})`` for a batch x."""
        require_vae(model)
        require_input(model, x)
        mu, logvar = model.encoder(x)
        z = reparameterize(mu, logvar, self.n_samples, generator)
        x_params = model.decoder(z)
        parts = elbo_from_outputs(x, x_params, mu, logvar, model.likelihood)
        if self.free_bits > 0:
            kl_term = free_bits_kl(mu, logvar, self.free_bits)
        else:
            kl_term = parts.kl.mean()
        loss = -(parts.reconstruction.mean() - self.beta_now * kl_term)
        return loss, parts._asdict()

    def __repr__(self) -> str:
        return (
            f"ELBOObjective(beta={self.beta}, free_bits={self.free_bits}, "
            f"kl_warmup_steps={self.kl_warmup_steps}, "
            f"n_samples={self.n_samples})"
        )


class ScoreFunctionObjective:
    r"""The score-function surrogate of the ELBO (chapter 2, §2.10).

    With z_m ~ q_phi(z|x) drawn *without* a gradient path (m = 1..M) and
    f_m = log p_theta(x | z_m), the surrogate per image is

        S(x) = (1/M) sum_m [ f_m + (f_m - b_m) * log q_phi(z_m|x) ]
               - KL(q_phi(z|x) || p(z)),

    where (f_m - b_m) is a constant to autograd and
    b_m = (1/(M-1)) sum_{j != m} f_j is the leave-one-out baseline (the
    mean of the *other* samples of the same x: independent of z_m, so the
    estimate stays unbiased). Its gradients are

    * theta: (1/M) sum_m grad_theta log p_theta(x|z_m) (chapter 2, §2.3);
    * phi: (1/M) sum_m (f_m - b_m) grad_phi log q_phi(z_m|x) - grad_phi KL,
      the score-function gradient with a baseline (§2.6, §2.9) plus the
      closed-form KL's exact gradient.

    In expectation both equal the ELBO's gradients; :class:`ELBOObjective`
    has the same expectation with a far smaller variance (chapter 3). The
    loss is ``-mean_batch S(x)`` (its value is not the ELBO); the parts are
    the ELBO's estimate from the same samples, ``[batch]`` nats.

    Args:
        n_samples: M >= 2 samples of z per image (the leave-one-out
            baseline needs at least one other sample).
    """

    def __init__(self, n_samples: int = 2):
        require_positive_int("n_samples", n_samples)
        if n_samples < 2:
            raise ValueError(
                "n_samples must be >= 2 for the leave-one-out baseline, "
                f"got {n_samples}"
            )
        self.n_samples = n_samples

    def __call__(self, model, x, generator=None):
        """``(loss, {"elbo", "reconstruction", "kl"})`` for a batch x."""
        require_vae(model)
        require_input(model, x)
        m = self.n_samples
        mu, logvar = model.encoder(x)  # [batch, k] each
        with torch.no_grad():  # the draw itself: no gradient path to phi
            z = reparameterize(mu, logvar, m, generator)  # [M, batch, k]
        f = model.likelihood.log_prob(x, model.decoder(z))  # [M, batch]
        log_q = log_normal_diag(z, mu, logvar)  # [M, batch], depends on phi
        f_const = f.detach()
        baseline = (f_const.sum(dim=0) - f_const) / (m - 1)
        surrogate = (f + (f_const - baseline) * log_q).mean(dim=0)
        kl = gaussian_kl(mu, logvar)  # [batch]
        loss = -(surrogate - kl).mean()
        reconstruction = f_const.mean(dim=0)
        parts = {
            "elbo": reconstruction - kl.detach(),
            "reconstruction": reconstruction,
            "kl": kl.detach(),
        }
        return loss, parts

    def __repr__(self) -> str:
        return f"ScoreFunctionObjective(n_samples={self.n_samples})"


class ReconstructionObjective:
    r"""The plain autoencoder's loss (chapter 1, §1.10).

    One code per image, z = encoder(x), no noise and no KL:
    ``loss = -mean_batch log p_theta(x | z)``; the one part is
    ``reconstruction = log p_theta(x | z)``, ``[batch]`` nats. For a
    Bernoulli decoder it is minus the summed binary cross-entropy.
    """

    def __call__(self, model, x, generator=None):
        """``(loss, {"reconstruction"})`` for a batch x; no randomness."""
        require_autoencoder(model)
        require_input(model, x)
        z = model.encoder(x)
        reconstruction = model.likelihood.log_prob(x, model.decoder(z))
        return -reconstruction.mean(), {"reconstruction": reconstruction}

    def __repr__(self) -> str:
        return "ReconstructionObjective()"


def require_objective(loss):
    """``loss`` if it is an objective (callable), else a TypeError."""
    if loss is None:
        return ELBOObjective()
    if not callable(loss):
        raise TypeError(
            "loss must be an objective: a callable "
            "loss(model, x, generator) -> (scalar loss, parts), e.g. "
            f"vc.ELBOObjective(); got {type(loss).__name__}"
        )
    return loss


@torch.no_grad()
def evaluate(
    model,
    images: torch.Tensor,
    loss=None,
    batch_size: int = 1000,
    generator: torch.Generator | None = None,
) -> dict:
    """The objective's parts on ``images``, as means per image (nats).

    ``loss`` is an objective (default :class:`ELBOObjective`: the keys
    ``elbo``, ``reconstruction``, ``kl``); it runs in eval mode without
    gradients over batches of ``batch_size``; images ``[N, 1, 28, 28]`` or
    flat ``[N, 784]``.
    """
    loss = require_objective(loss)
    require_batch("images", images)
    require_positive_int("batch_size", batch_size)
    module = isinstance(model, torch.nn.Module)
    was_training = module and model.training
    if module:
        model.eval()
    totals = {}
    try:
        for first in range(0, images.shape[0], batch_size):
            batch = images[first : first + batch_size]
            _, parts = loss(model, batch, generator)
            for name, values in parts.items():
                totals[name] = totals.get(name, 0.0) + values.sum().item()
    finally:
        if module:
            model.train(was_training)
    return {name: total / images.shape[0] for name, total in totals.items()}
