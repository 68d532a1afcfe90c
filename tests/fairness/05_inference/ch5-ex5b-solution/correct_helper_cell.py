# the precision matrix in a helper cell of its own above the answer
def posterior_precision(W, noise_var, prior_var):
    return torch.diag(1 / prior_var) + (W.T / noise_var) @ W


# %%
def best_diagonal_gap(W, noise_var, prior_var):
    precision = posterior_precision(W, noise_var, prior_var)
    chol = torch.linalg.cholesky(precision)
    logdet = 2 * chol.diagonal().log().sum()
    return 0.5 * (precision.diagonal().log().sum() - logdet)
