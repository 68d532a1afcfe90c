# the KL itself, from torch.distributions, at q's variances 1 / Lambda_jj
def best_diagonal_gap(W, noise_var, prior_var):
    precision = torch.diag(1 / prior_var) + (W.T / noise_var) @ W
    k = len(prior_var)
    zero = torch.zeros(k, dtype=W.dtype)
    q = torch.distributions.MultivariateNormal(
        zero, torch.diag(1 / torch.diagonal(precision))
    )
    posterior = torch.distributions.MultivariateNormal(
        zero, precision_matrix=precision
    )
    return torch.distributions.kl_divergence(q, posterior)
