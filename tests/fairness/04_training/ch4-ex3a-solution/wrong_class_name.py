# wrong: names a class the package does not have
def vae_design():
    return {"model": "VAE", "latent_dim": 16, "hidden_dim": 36}
