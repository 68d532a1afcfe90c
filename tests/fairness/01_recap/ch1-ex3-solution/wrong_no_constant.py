# wrong: the -(d/2) log(2 pi) of the Gaussian likelihood left out
def linear_gaussian_elbo(W, b, x, mu, logvar):
    resid = x - mu @ W.T - b
    trace = torch.exp(logvar) @ (W**2).sum(dim=0)
    return -0.5 * (resid**2).sum(1) - 0.5 * trace - vc.gaussian_kl(mu, logvar)
