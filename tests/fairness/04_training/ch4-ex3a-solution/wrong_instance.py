# wrong: returns a model instead of a design (a dict)
def vae_design():
    return vc.MLPVAE(latent_dim=16, hidden_dim=36)
