# torch.randn(*shape) and torch.addcmul
def my_reparameterize(mu, logvar, generator=None):
    eps = torch.randn(
        *mu.shape, generator=generator, dtype=mu.dtype, device=mu.device
    )
    return torch.addcmul(mu, torch.exp(logvar / 2), eps)
