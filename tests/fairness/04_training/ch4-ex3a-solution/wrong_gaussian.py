# wrong: a Gaussian decoder, whose ELBO is not in the Bernoulli model's nats
def vae_design():
    return {
        "model": "MLPVAE",
        "latent_dim": 16,
        "hidden_dim": 36,
        "likelihood": "gaussian",
    }
