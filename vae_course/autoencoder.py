r"""A plain autoencoder with the MLP VAE's layers (chapter 1, §1.10).

An autoencoder maps x to one code z = encoder(x), a point with no variance,
and decodes it; its loss is the reconstruction term alone,
-log p_theta(x | z = encoder(x)) (the summed binary cross-entropy for a
Bernoulli decoder): :class:`~vae_course.objectives.ReconstructionObjective`.
Train it with the course's one trainer,
``vc.train(ae, data, epochs, loss=vc.ReconstructionObjective())``.

It has no KL term and no ELBO: compare autoencoders and VAEs by
reconstruction, and by how their codes fill the latent space.
"""

from __future__ import annotations

from torch import nn

from ._checks import require_positive_int
from .models import IMAGE_PIXELS, IMAGE_SHAPE, ImageModel


class Autoencoder(ImageModel):
    """The 784-400-k-400-784 ReLU network of MLPVAE, deterministic.

    ``encoder(x)`` returns the code z ``[batch, k]`` itself (MLPVAE's
    encoder returns mu and logvar); the decoder is MLPVAE's.

    It has a code, not a latent variable with a prior: its size is
    ``code_dim`` (and it has no ``latent_dim``, so that nothing takes it for
    a VAE).

    Args:
        code_dim: k, the size of the code z.
        hidden_dim: width of the single hidden layer (400).
        likelihood: ``"bernoulli"`` (decoder outputs logits) or
            ``"gaussian"`` (decoder outputs the mean); sets the
            reconstruction loss.
    """

    def __init__(
        self,
        code_dim: int = 20,
        hidden_dim: int = 400,
        likelihood: str = "bernoulli",
    ):
        super().__init__(likelihood)
        require_positive_int("code_dim", code_dim)
        require_positive_int("hidden_dim", hidden_dim)
        self.code_dim = code_dim
        self.hidden_dim = hidden_dim
        self.encoder = nn.Sequential(
            nn.Flatten(),
            nn.Linear(IMAGE_PIXELS, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, code_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, IMAGE_PIXELS),
            nn.Unflatten(-1, IMAGE_SHAPE),
        )
