# the posterior covariance from part (a) (any x), then
# 1/2 (sum_j log Lambda_jj + log det S) with Lambda = S^-1
def best_diagonal_gap(W, noise_var, prior_var):
    d, k = W.shape
    _, cov = linear_gaussian_posterior(
        torch.zeros(1, d, dtype=W.dtype),
        W,
        torch.zeros(d, dtype=W.dtype),
        noise_var,
        torch.zeros(k, dtype=W.dtype),
        prior_var,
    )
    precision = torch.linalg.inv(cov)
    return 0.5 * (
        torch.log(torch.diagonal(precision)).sum() + torch.logdet(cov)
    )
