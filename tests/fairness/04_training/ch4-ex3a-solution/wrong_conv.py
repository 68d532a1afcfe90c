# wrong: the lecture's ConvVAE with k = 2 still has 88,645 parameters
def vae_design():
    return dict(model="ConvVAE", latent_dim=2)
