# sigma as logvar.mul(0.5).exp(), eps * sigma + mu
def my_reparameterize(mu, logvar, generator=None):
    eps = torch.randn(
        mu.shape, generator=generator, dtype=mu.dtype, device=mu.device
    )
    return eps * logvar.mul(0.5).exp() + mu
