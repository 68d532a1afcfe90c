# the precision's Cholesky factor, cholesky_solve and cholesky_inverse
def linear_gaussian_posterior(x, W, b, noise_var, prior_mean, prior_var):
    precision = torch.diag(prior_var.reciprocal()) + (W.T / noise_var) @ W
    chol = torch.linalg.cholesky(precision)
    rhs = (x - b) / noise_var @ W + prior_mean / prior_var  # [batch, k]
    mean = torch.cholesky_solve(rhs.T, chol).T
    return mean, torch.cholesky_inverse(chol)
