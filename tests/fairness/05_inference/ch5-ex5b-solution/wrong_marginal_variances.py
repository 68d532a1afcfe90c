# wrong: q with the posterior's marginal variances S_jj (the best q for
# KL(p || q), not for KL(q || p))
def best_diagonal_gap(W, noise_var, prior_var):
    precision = torch.diag(1 / prior_var) + (W.T / noise_var) @ W
    cov = torch.linalg.inv(precision)
    return 0.5 * (torch.log(torch.diagonal(cov)).sum() - torch.logdet(cov))
