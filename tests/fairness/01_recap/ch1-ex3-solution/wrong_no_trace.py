# wrong: the likelihood evaluated at z = mu only (the trace term forgotten)
def linear_gaussian_elbo(W, b, x, mu, logvar):
    x_hat = mu @ W.T + b
    return vc.gaussian_log_likelihood(x, x_hat) - vc.gaussian_kl(mu, logvar)
