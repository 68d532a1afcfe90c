# wrong: mean over the latent dimensions instead of the sum
def my_gaussian_kl(mu, logvar):
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).mean(dim=-1)
