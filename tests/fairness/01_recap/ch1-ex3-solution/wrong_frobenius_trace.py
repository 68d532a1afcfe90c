# wrong: every variance times the whole ||W||^2 instead of its own column's
def linear_gaussian_elbo(W, b, x, mu, logvar):
    x_hat = mu @ W.T + b
    trace = torch.exp(logvar).sum(dim=1) * (W**2).sum()
    return (
        vc.gaussian_log_likelihood(x, x_hat)
        - 0.5 * trace
        - vc.gaussian_kl(mu, logvar)
    )
