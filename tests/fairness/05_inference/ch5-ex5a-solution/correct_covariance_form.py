# conditioning the joint Gaussian of (z, x) (the covariance form, Schur complement)
def linear_gaussian_posterior(x, W, b, noise_var, prior_mean, prior_var):
    prior_cov = torch.diag(prior_var)
    cross = W @ prior_cov  # Cov(x, z), [d, k]
    cov_x = W @ prior_cov @ W.T + torch.diag(noise_var)
    gain = torch.linalg.solve(cov_x, cross)  # [d, k]
    mean = prior_mean + (x - W @ prior_mean - b) @ gain
    return mean, prior_cov - cross.T @ gain
