# 1/2 (sum_j log Lambda_jj - log det Lambda) with slogdet
def best_diagonal_gap(W, noise_var, prior_var):
    precision = torch.diag(1 / prior_var) + W.T @ torch.diag(1 / noise_var) @ W
    _, logdet = torch.linalg.slogdet(precision)
    return 0.5 * (torch.diagonal(precision).log().sum() - logdet).item()
