"""vae_course: the code of the Variational Autoencoders course companion.

One module per idea from the lectures; the chapters import from here and show
these sources (:func:`show_source`, without the argument checks).

===========================  ===========================================  =====
module                       what it holds                                ch.
===========================  ===========================================  =====
``gaussian``                 log N(z | mu, sigma^2); closed-form KL       1
``likelihoods``              Bernoulli and Gaussian p(x|z) as objects     1, 4
``linear_gaussian``          a latent-variable model with exact log p(x)  1
``prior_monte_carlo``        naive Monte Carlo log p(x) from prior draws  1
``autoencoder``              a plain autoencoder with the MLP's layers    1
``bounds``                   the ELBO, its parts, and the IWAE bound      1,4,5
``gradient_estimators``      score-function and reparam. gradients        2, 3
``reparam``                  z = mu + exp(logvar / 2) * eps               3
``inverse_cdf``              inverse-CDF sampler, closed-form inverses    3
``models``                   the VAE protocol; MLPVAE (pytorch/examples)  4
                             and ConvVAE (the lecture's)
``collapse``                 KL warm-up and free bits                     4
``objectives``               what the trainer minimises; evaluate         1,2,4
``training``                 train_step, the one trainer, its history     4
``data``                     MNIST, or real digits offline                4
``checkpoints``              save / load state dicts (weights_only=True)  4
``inference``                generate, embed, reconstruct, interpolate    5
``probes``                   linear / kNN classifiers on embeddings       5
``posterior``                p(z|x) and log p(x) on a grid (k = 2)        5
``downstream``               retrieval, clustering, posterior entropy     5
``traversal``                per-unit latent traversals                   4
``quality``                  share of samples a digit classifier          4-7
                             recognises (>= 90 % sure)
``pretrained``               models trained for the figures, with their   4, 5
                             provenance (tools/train_checkpoints.py)
``plots``                    image grids, loss curves, latent scatter     4, 5
``aggregate_posterior``      q(z) against p(z), ELBO surgery, ex-post     6
                             density estimation
``gaps``                     approximation and amortisation gaps (k = 2)  6
``iwae``                     the IWAE objective, gradient SNR             6
``learned_variance``         a Gaussian decoder with learned variance     6
``ppca``                     probabilistic PCA, the linear VAE            6
``discrete``                 categorical latents: Gumbel-softmax, score   7
                             function, enumeration; categorical KL
``conditional``              the conditional VAE and M2 (few labels)      7
``shapes``                   synthetic shapes with known factors          7
``disentanglement``          mutual information gap (MIG)                 7
``devices``                  the device, seeds and generators             all
``profiles``                 the profile and offline switches             all
``show``                     show_source, the chapters' code display      all
===========================  ===========================================  =====
"""

from .aggregate_posterior import (
    Surgery,
    elbo_surgery,
    fit_code_density,
    log_aggregate_posterior,
    prior_hole_mass,
    sample_aggregate_posterior,
    sample_code_density,
)
from .autoencoder import Autoencoder
from .bounds import ELBO, elbo, elbo_from_outputs, iwae_bound
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
from .gaps import Gaps, best_gaussian, grid_gaussian_kl, inference_gaps
from .gaussian import gaussian_kl, log_normal_diag
from .gradient_estimators import (
    encoder_gradient_noise,
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
    sample_prior,
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
    uniform_open,
)
from .iwae import IWAEObjective, gradient_snr, log_weights
from .learned_variance import (
    best_pixel_variance,
    best_shared_variance,
    gaussian_log_likelihood_var,
)
from .likelihoods import (
    BernoulliLikelihood,
    GaussianLikelihood,
    Likelihood,
    bernoulli_log_likelihood,
    gaussian_log_likelihood,
    get_likelihood,
)
from .linear_gaussian import LinearGaussianModel, grid_log_marginal
from .models import MLPVAE, VAE, ConvVAE, GaussianEncoder
from .objectives import (
    ELBOObjective,
    ReconstructionObjective,
    ScoreFunctionObjective,
    evaluate,
)
from .plots import (
    image_grid,
    plot_history,
    plot_image_grid,
    plot_latent_scatter,
    show_images,
)
from .posterior import GridPosterior, encoder_on_grid, grid_kl, grid_posterior
from .ppca import (
    PPCA,
    LinearEncoder,
    LinearVAE,
    ppca_fit,
    ppca_log_likelihood,
    subspace_cosines,
)
from .pretrained import PRETRAINED, load_pretrained, pretrained_history
from .prior_monte_carlo import PriorEstimate, prior_log_evidence
from .probes import balanced_subset, probe_accuracy
from .profiles import Settings, settings
from .quality import (
    DigitClassifier,
    digit_classifier,
    quality_report,
    sample_quality,
)
from .reparam import reparameterize
from .shapes import (
    FACTOR_NAMES,
    FACTOR_VALUES,
    SHAPE_NAMES,
    Shapes,
    factor_sweep,
    inside_unit_shape,
    make_shapes,
    render_shapes,
)
from .show import show_source
from .training import History, TrainingError, train, train_step
from .traversal import latent_traversal, traversal_effect

__version__ = "0.1.0"

__all__ = [
    "Autoencoder",
    "BernoulliLikelihood",
    "CategoricalObjective",
    "CategoricalVAE",
    "ConditionalObjective",
    "ConditionalVAE",
    "ConvVAE",
    "DataError",
    "DigitClassifier",
    "ELBO",
    "ELBOObjective",
    "FACTOR_NAMES",
    "FACTOR_VALUES",
    "Gaps",
    "GaussianEncoder",
    "GaussianLikelihood",
    "GridPosterior",
    "History",
    "INVERSE_CDFS",
    "IWAEObjective",
    "Likelihood",
    "LinearGaussianModel",
    "LinearEncoder",
    "LinearVAE",
    "M2Objective",
    "MLPVAE",
    "MNIST",
    "PPCA",
    "PRETRAINED",
    "PriorEstimate",
    "ReconstructionObjective",
    "SHAPE_NAMES",
    "ScoreFunctionObjective",
    "Settings",
    "Shapes",
    "Surgery",
    "TrainingError",
    "VAE",
    "active_units",
    "all_labels_elbo",
    "attach_labels",
    "balanced_subset",
    "bernoulli_log_likelihood",
    "best_gaussian",
    "best_pixel_variance",
    "best_shared_variance",
    "categorical_elbo",
    "categorical_kl",
    "categorical_sample",
    "cauchy_icdf",
    "class_log_likelihoods",
    "classify",
    "cluster_scores",
    "conditional_elbo",
    "decode_images",
    "device",
    "digit_classifier",
    "discrete_entropy",
    "discrete_mutual_info",
    "discretize",
    "elbo",
    "elbo_from_outputs",
    "elbo_surgery",
    "embed",
    "encoder_gradient_noise",
    "encoder_on_grid",
    "evaluate",
    "exponential_icdf",
    "factor_sweep",
    "fit_code_density",
    "free_bits_kl",
    "gaussian_kl",
    "gaussian_log_likelihood",
    "gaussian_log_likelihood_var",
    "generate",
    "get_likelihood",
    "gradient_snr",
    "grid_gaussian_kl",
    "grid_kl",
    "grid_log_marginal",
    "grid_posterior",
    "gumbel_icdf",
    "gumbel_noise",
    "gumbel_softmax_sample",
    "image_grid",
    "inference_gaps",
    "inside_unit_shape",
    "interpolate",
    "inverse_cdf_sample",
    "iwae_bound",
    "kl_warmup",
    "kumaraswamy_icdf",
    "laplace_icdf",
    "latent_grid",
    "latent_traversal",
    "load_checkpoint",
    "load_mnist",
    "load_pretrained",
    "log_aggregate_posterior",
    "log_normal_diag",
    "log_weights",
    "logistic_icdf",
    "logit_gradients",
    "make_generator",
    "make_shapes",
    "matched_accuracy",
    "mutual_info_matrix",
    "mutual_information_gap",
    "nearest_neighbours",
    "normal_icdf",
    "plot_history",
    "plot_image_grid",
    "plot_latent_scatter",
    "posterior_entropy",
    "ppca_fit",
    "ppca_log_likelihood",
    "pretrained_history",
    "prior_hole_mass",
    "prior_log_evidence",
    "probe_accuracy",
    "quality_report",
    "reconstruct",
    "reconstruction_surrogate",
    "render_shapes",
    "reparam_grad",
    "reparameterize",
    "retrieval_precision",
    "sample_aggregate_posterior",
    "sample_code_density",
    "sample_prior",
    "sample_quality",
    "save_checkpoint",
    "score_function_grad",
    "seed_everything",
    "settings",
    "show_images",
    "show_source",
    "split_labels",
    "subspace_cosines",
    "train",
    "train_step",
    "traversal_effect",
    "uniform_open",
    "unlabelled_bound",
    "z_squared_grad_variance",
]
