"""vae_course: the code of the Variational Autoencoders course companion.

One module per idea from the lectures; the chapters import from here and show these sources.

====================  ===========================================================  =======
module                what it holds                                                chapter
====================  ===========================================================  =======
``kl``                closed-form KL(N(mu, sigma^2) || N(0, I))                    1
``likelihoods``       Bernoulli and Gaussian log p(x|z)                            1, 4
``linear_gaussian``   a latent-variable model with an exact log p(x)               1
``elbo``              the ELBO, its parts, and the IWAE bound                      1, 4, 5
``gradient_estimators``  score-function and reparameterization gradients          2, 3
``reparam``           z = mu + exp(logvar / 2) * eps                               3
``inverse_cdf``       the inverse-CDF sampler and closed-form inverse CDFs         3
``models``            MLPVAE (Kingma & Welling) and ConvVAE (the lecture's)        4
``data``              MNIST, or real digits offline                               4
``training``          the trainer and its history                                  4
``checkpoints``       save / load state dicts (weights_only=True)                  4
``inference``         generate, embed, reconstruct, interpolate, latent grid       5
``probes``            linear / kNN classifiers on embeddings                       5
``plots``             image grids, loss curves, latent scatter                     4, 5
====================  ===========================================================  =======
"""

from .checkpoints import load_checkpoint, save_checkpoint
from .data import MNIST, DataError, load_mnist
from .devices import device, make_generator, seed_everything
from .elbo import ELBO, elbo, elbo_from_outputs, iwae_bound, log_normal_diag
from .gradient_estimators import (
    reparam_grad,
    score_function_grad,
    z_squared_grad_variance,
)
from .inference import (
    active_units,
    embed,
    generate,
    interpolate,
    latent_grid,
    reconstruct,
)
from .inverse_cdf import (
    INVERSE_CDFS,
    cauchy_icdf,
    exponential_icdf,
    gumbel_icdf,
    inverse_cdf_sample,
    kumaraswamy_icdf,
    laplace_icdf,
    logistic_icdf,
    normal_icdf,
)
from .kl import gaussian_kl
from .likelihoods import (
    bernoulli_log_likelihood,
    gaussian_log_likelihood,
    log_likelihood,
)
from .linear_gaussian import LinearGaussianModel, grid_log_marginal
from .models import ConvVAE, MLPVAE
from .plots import (
    image_grid,
    plot_history,
    plot_image_grid,
    plot_latent_scatter,
    show_images,
)
from .probes import balanced_subset, probe_accuracy
from .reparam import reparameterize
from .settings import Settings, settings
from .show import show_source
from .training import History, evaluate, train

# content-b (chapters 4-5): the true posterior, downstream uses, latent traversals
from .downstream import (
    cluster_scores,
    nearest_neighbours,
    posterior_entropy,
    retrieval_precision,
)
from .posterior import (
    GridPosterior,
    encoder_on_grid,
    grid_kl,
    grid_posterior,
    pairwise_log_likelihood,
    prior_sampling_log_marginal,
)
from .traversal import latent_traversal, traversal_effect

__version__ = "0.1.0"

__all__ = [
    "ConvVAE",
    "DataError",
    "ELBO",
    "History",
    "INVERSE_CDFS",
    "LinearGaussianModel",
    "MLPVAE",
    "MNIST",
    "Settings",
    "active_units",
    "balanced_subset",
    "bernoulli_log_likelihood",
    "cauchy_icdf",
    "device",
    "elbo",
    "elbo_from_outputs",
    "embed",
    "evaluate",
    "exponential_icdf",
    "gaussian_kl",
    "gaussian_log_likelihood",
    "generate",
    "grid_log_marginal",
    "gumbel_icdf",
    "image_grid",
    "interpolate",
    "inverse_cdf_sample",
    "iwae_bound",
    "kumaraswamy_icdf",
    "laplace_icdf",
    "latent_grid",
    "load_checkpoint",
    "load_mnist",
    "log_likelihood",
    "log_normal_diag",
    "logistic_icdf",
    "make_generator",
    "normal_icdf",
    "plot_history",
    "plot_image_grid",
    "plot_latent_scatter",
    "probe_accuracy",
    "reconstruct",
    "reparam_grad",
    "reparameterize",
    "save_checkpoint",
    "score_function_grad",
    "seed_everything",
    "settings",
    "show_images",
    "show_source",
    "train",
    "z_squared_grad_variance",
    # content-b (chapters 4-5)
    "GridPosterior",
    "cluster_scores",
    "encoder_on_grid",
    "grid_kl",
    "grid_posterior",
    "latent_traversal",
    "pairwise_log_likelihood",
    "nearest_neighbours",
    "posterior_entropy",
    "prior_sampling_log_marginal",
    "retrieval_precision",
    "traversal_effect",
]
