# wrong: the prior mean left out (a prior centred at 0)
def linear_gaussian_posterior(x, W, b, noise_var, prior_mean, prior_var):
    precision = torch.diag(1 / prior_var) + (W.T / noise_var) @ W
    cov = torch.linalg.inv(precision)
    return ((x - b) / noise_var @ W) @ cov, cov
