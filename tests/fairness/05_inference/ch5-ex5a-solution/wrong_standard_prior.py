# wrong: chapter 1's S = (I + W^T diag(1/psi) W)^-1, as if the prior were N(0, I)
def linear_gaussian_posterior(x, W, b, noise_var, prior_mean, prior_var):
    k = W.shape[1]
    precision = torch.eye(k, dtype=W.dtype) + (W.T / noise_var) @ W
    cov = torch.linalg.inv(precision)
    return ((x - b) / noise_var @ W + prior_mean) @ cov, cov
