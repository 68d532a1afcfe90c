r"""A plain autoencoder with the MLP VAE's layers (chapter 1, §1.10).

An autoencoder maps x to one code z = mu_phi(x) and decodes it; its loss is
the reconstruction term alone, -log p_theta(x | z = mu_phi(x)) (minus the
summed BCE for a Bernoulli decoder). That is the VAE's objective in the limit
where q_phi(z|x) becomes a point mass at mu_phi(x) and the KL term is dropped
(beta = 0). :class:`Autoencoder` is exactly that limit, written so that the
course's trainer runs it unchanged:

* ``encode`` returns ``(mu, logvar)`` with ``logvar`` fixed at
  ``POINT_MASS_LOGVAR`` (sigma = exp(-10), about 4.5e-5), so
  z = mu + sigma * eps is mu up to noise far below the decoder's resolution,
  and no gradient reaches any variance parameter (there is none);
* ``train(ae, data, epochs, beta=0.0)`` then minimises
  -log p_theta(x | mu_phi(x)).

The KL term the trainer reports for it is meaningless (at least 9.5 nats per
latent dimension for a point mass): compare autoencoders and VAEs by
reconstruction, not by ELBO.
"""

from __future__ import annotations

import torch

from .models import MLPVAE

POINT_MASS_LOGVAR = -20.0  # log sigma^2 of the "point mass": sigma = exp(-10)


class Autoencoder(MLPVAE):
    """The 784-400-k-400-784 ReLU network of MLPVAE, deterministic.

    Same layers as ``MLPVAE(latent_dim, hidden_dim, likelihood)`` except the
    log-variance head, which an autoencoder does not have.

    Args:
        latent_dim: k, the size of the code z.
        hidden_dim: width of the single hidden layer (400).
        likelihood: ``"bernoulli"`` (decoder outputs logits) or
            ``"gaussian"`` (decoder outputs the mean); sets the
            reconstruction loss.
    """

    def __init__(
        self,
        latent_dim: int = 20,
        hidden_dim: int = 400,
        likelihood: str = "bernoulli",
    ):
        super().__init__(latent_dim, hidden_dim, likelihood)
        self.fc_logvar = None  # no variance: the code is a point

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x ``[batch, 1, 28, 28]`` -> ``(z, logvar)``, each ``[batch, k]``.

        ``z = mu_phi(x)`` is the code; ``logvar`` is the constant
        ``POINT_MASS_LOGVAR``, so that the trainer's reparameterized
        sample equals z.
        """
        z = self.fc_mu(self.encoder(self._check_images(x)))
        return z, torch.full_like(z, POINT_MASS_LOGVAR)
