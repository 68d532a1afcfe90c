# the reference: an MLPVAE with k = 16 and 36 hidden units (59,064 parameters)
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}
