# wrong: 2,000 hidden units, about 3.3 million parameters (over the limit)
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 20, "hidden_dim": 2000}
