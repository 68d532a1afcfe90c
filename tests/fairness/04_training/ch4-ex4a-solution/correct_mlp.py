# the reference: pytorch/examples' MLP VAE, k = 20
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 20, "hidden_dim": 400}
