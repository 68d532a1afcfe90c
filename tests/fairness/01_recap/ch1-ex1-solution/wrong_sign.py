# wrong: sign flipped (minus the KL)
def my_gaussian_kl(mu, logvar):
    return 0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
