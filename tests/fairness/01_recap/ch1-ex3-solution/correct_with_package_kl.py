# the Gaussian log-likelihood at the mean, the trace term, and vc.gaussian_kl
def linear_gaussian_elbo(W, b, x, mu, logvar):
    x_hat = mu @ W.T + b
    at_mean = vc.gaussian_log_likelihood(x, x_hat)
    trace = (torch.exp(logvar) * (W**2).sum(dim=0)).sum(dim=1)
    return at_mean - 0.5 * trace - vc.gaussian_kl(mu, logvar)
