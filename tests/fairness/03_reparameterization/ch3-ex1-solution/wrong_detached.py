# wrong: computed on detached values, so no gradient reaches mu and logvar
def my_reparameterize(mu, logvar, generator=None):
    eps = torch.randn(
        mu.shape, generator=generator, dtype=mu.dtype, device=mu.device
    )
    return mu.detach() + torch.exp(0.5 * logvar.detach()) * eps
