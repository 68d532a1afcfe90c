# written with the variance sigma^2 = exp(logvar)
def my_gaussian_kl(mu, logvar):
    var = torch.exp(logvar)
    return 0.5 * (var + mu**2 - 1 - logvar).sum(dim=1)
