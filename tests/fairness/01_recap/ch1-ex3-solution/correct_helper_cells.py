# two helper cells above the answer cell: the expected squared norm, and a constant
def expected_sq_norm(W, logvar):
    """E ||W (sigma * eps)||^2 = sum_j sigma_j^2 ||W[:, j]||^2, per row."""
    return torch.exp(logvar) @ (W**2).sum(dim=0)


# %%
LOG_2PI = math.log(2 * math.pi)


# %%
def linear_gaussian_elbo(W, b, x, mu, logvar):
    d = W.shape[0]
    resid = x - mu @ W.T - b
    log_lik = (
        -0.5 * (resid**2).sum(dim=1)
        - 0.5 * expected_sq_norm(W, logvar)
        - 0.5 * d * LOG_2PI
    )
    return log_lik - vc.gaussian_kl(mu, logvar)
