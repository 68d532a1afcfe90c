# the precision form with torch.linalg.solve, no explicit inverse for the mean
def linear_gaussian_posterior(x, W, b, noise_var, prior_mean, prior_var):
    precision = torch.diag(1 / prior_var) + W.T @ torch.diag(1 / noise_var) @ W
    rhs = (
        W.T @ torch.diag(1 / noise_var) @ (x - b).T
        + (prior_mean / prior_var)[:, None]
    )
    mean = torch.linalg.solve(precision, rhs).T
    cov = torch.linalg.solve(
        precision, torch.eye(len(prior_var), dtype=W.dtype)
    )
    return mean, cov
