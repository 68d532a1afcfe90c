"""vae_course: the code of the Variational Autoencoders course companion.

One module per idea from the lectures; the chapters import from here and  ow
these sources (:func:`show_source`, without the argument checks).

===========================  ===========================================  =====
module                       what it holds                                ch.
===========================  ===========================================  =====
``kl``                       closed-form KL(N(mu, sigma^2) || N(0, I))    1
``likelihoods``              Bernoulli and Gaussian log p(x|z)            1, 4
``linear_gaussian``          a latent-variable model with exact log p(x)  1
``prior_monte_carlo``        naive Monte Carlo log p(x) from prior draws  1
``autoencoder``              the MLP VAE's layers as a plain autoencoder  1
``elbo``                     the ELBO, its parts, and the IWAE bound      1,4,5
``gradient_estimators``      score-function and reparam. gradients        2, 3
``score_function_training``  a VAE trained by score-function gradients    2
``reparam``                  z = mu + exp(logvar / 2) * eps               3
``inverse_cdf``              inverse-CDF sampler, closed-form inverses    3
``models``                   the VAE protocol; MLPVAE (pytorch/examples)  4
                             and ConvVAE (the lecture's)
``collapse``                 KL warm-up and free bits                     4
``training``                 train_step, the trainer and its history      4
``data``                     MNIST, or real digits offline                4
``checkpoints``              save / load state dicts (weights_only=True)  4
``inference``                generate, embed, reconstruct, interpolate    5
``probes``                   linear / kNN classifiers on embeddings       5
``posterior``                p(z|x) and log p(x) on a grid (k = 2)        5
``downstream``               retrieval, clustering, posterior entropy     5
``traversal``                per-unit latent traversals                   4
``plots``                    image grids, loss curves, latent scatter     4, 5
``discrete``                 categorical latents: Gumbel-softmax, score   7
                             function, enumeration; categorical KL
``conditional``              the conditional VAE and M2 (few labels)      7
``shapes``                   synthetic shapes with known factors          7
``disentanglement``          mutual information gap (MIG)                 7
``settings``                 the profile and offline switches             all
``show``                     show_source, the chapters' code display      all
===========================  ===========================================  =====
"""

# Added for chapters 1-2 (content-a): the autoencoder of §1.10, the naive
# prior Monte Carlo evidence of §1.3, score-function training of §2.10.
from .autoencoder import Autoencoder
from .checkpoints import load_checkpoint, save_checkpoint
from .collapse import free_bits_kl, kl_warmup
from .conditional import (
    ConditionalObjective,
    ConditionalVAE,
    M2Objective,
    all_labels_elbo,
    attach_labels,
    classify,
    conditional_elbo,
    split_labels,
    unlabelled_bound,
)
from .data import MNIST, DataError, load_mnist
from .devices import device, make_generator, seed_everything
from .discrete import (
    CategoricalObjective,
    CategoricalVAE,
    categorical_elbo,
    categorical_kl,
    categorical_sample,
    class_log_likelihoods,
    gumbel_noise,
    gumbel_softmax_sample,
    logit_gradients,
    matched_accuracy,
    reconstruction_surrogate,
)
from .disentanglement import (
    discrete_entropy,
    discrete_mutual_info,
    discretize,
    mutual_info_matrix,
    mutual_information_gap,
)
from .downstream import (
    cluster_scores,
    nearest_neighbours,
    posterior_entropy,
    retrieval_precision,
)
from .elbo import ELBO, elbo, elbo_from_outputs, iwae_bound, log_normal_diag
from .gradient_estimators import (
    reparam_grad,
    score_function_grad,
    z_squared_grad_variance,
)
from .inference import (
    active_units,
    decode_images,
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
    decoder_mean,
    gaussian_log_likelihood,
    log_likelihood,
)
from .linear_gaussian import LinearGaussianModel, grid_log_marginal
from .models import MLPVAE, VAE, ConvVAE
from .plots import (
    image_grid,
    plot_history,
    plot_image_grid,
    plot_latent_scatter,
    show_images,
)
from .posterior import (
    GridPosterior,
    encoder_on_grid,
    grid_kl,
    grid_posterior,
    pairwise_log_likelihood,
)
from .prior_monte_carlo import PriorEstimate, prior_log_evidence
from .probes import balanced_subset, probe_accuracy
from .reparam import reparameterize
from .score_function_training import (
    encoder_gradient_noise,
    score_function_loss,
    train_score_function,
)
from .settings import Settings, settings
from .shapes import Shapes, factor_sweep, make_shapes, render_shapes
from .show import show_source
from .training import (
    History,
    TrainingError,
    evaluate,
    train,
    train_step,
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
    # content-a additions
    "Autoencoder",
    "PriorEstimate",
    "encoder_gradient_noise",
    "prior_log_evidence",
    "score_function_loss",
    "train_score_function",
    # added by pkg (issue 11, 12)
    "TrainingError",
    "VAE",
    "decode_images",
    "decoder_mean",
    "free_bits_kl",
    "kl_warmup",
    "train_step",
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
    "retrieval_precision",
    "traversal_effect",
    # ch7 (chapter 7: discrete latents, labels, disentanglement)
    "CategoricalObjective",
    "CategoricalVAE",
    "ConditionalObjective",
    "ConditionalVAE",
    "M2Objective",
    "Shapes",
    "all_labels_elbo",
    "attach_labels",
    "categorical_elbo",
    "categorical_kl",
    "categorical_sample",
    "class_log_likelihoods",
    "classify",
    "conditional_elbo",
    "discrete_entropy",
    "discrete_mutual_info",
    "discretize",
    "factor_sweep",
    "gumbel_noise",
    "gumbel_softmax_sample",
    "logit_gradients",
    "make_shapes",
    "matched_accuracy",
    "mutual_info_matrix",
    "mutual_information_gap",
    "reconstruction_surrogate",
    "render_shapes",
    "split_labels",
    "unlabelled_bound",
]
