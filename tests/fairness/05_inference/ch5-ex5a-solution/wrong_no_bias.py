# wrong: the decoder's bias b forgotten in the mean
def linear_gaussian_posterior(x, W, b, noise_var, prior_mean, prior_var):
    precision = torch.diag(1 / prior_var) + (W.T / noise_var) @ W
    cov = torch.linalg.inv(precision)
    return (x / noise_var @ W + prior_mean / prior_var) @ cov, cov
