# k = 20 with 36 hidden units (59,504 parameters), built with dict()
def vae_design():
    return dict(model="MLPVAE", latent_dim=20, hidden_dim=36)
