# wrong: a Gaussian decoder, whose ELBO is not in the Bernoulli model's nats
def build_vae(seed=0):
    torch.manual_seed(seed)
    return vc.MLPVAE(latent_dim=20, likelihood="gaussian")
