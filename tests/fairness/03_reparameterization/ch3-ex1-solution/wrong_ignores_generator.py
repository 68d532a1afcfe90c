# wrong: randn_like ignores the generator
def my_reparameterize(mu, logvar, generator=None):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
