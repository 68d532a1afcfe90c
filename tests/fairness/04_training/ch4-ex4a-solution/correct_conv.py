# the lecture's ConvVAE with k = 16
def vae_design():
    return dict(model="ConvVAE", latent_dim=16)
