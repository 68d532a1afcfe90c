# the reference: pytorch/examples' MLP VAE, k = 20
def build_vae(seed=0):
    torch.manual_seed(seed)
    return vc.MLPVAE(latent_dim=20, hidden_dim=400)
