# float64 result (the case: failed "Double did not match Float")
def my_gaussian_kl(mu, logvar):
    kl = -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
    return kl.double()
