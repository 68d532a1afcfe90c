# sigma as sqrt(exp(logvar))
def my_reparameterize(mu, logvar, generator=None):
    sigma = torch.sqrt(torch.exp(logvar))
    eps = torch.randn(
        mu.shape, generator=generator, dtype=mu.dtype, device=mu.device
    )
    return mu + sigma * eps
