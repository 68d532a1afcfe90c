# wrong: exp(logvar) (the variance) used as the standard deviation
def my_reparameterize(mu, logvar, generator=None):
    eps = torch.randn(
        mu.shape, generator=generator, dtype=mu.dtype, device=mu.device
    )
    return mu + torch.exp(logvar) * eps
