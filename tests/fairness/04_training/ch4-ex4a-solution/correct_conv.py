# the lecture's ConvVAE with k = 16
def build_vae(seed=0):
    torch.manual_seed(seed)
    return vc.ConvVAE(latent_dim=16)
