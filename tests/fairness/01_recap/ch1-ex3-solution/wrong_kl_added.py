# wrong: the KL term added instead of subtracted
def linear_gaussian_elbo(W, b, x, mu, logvar):
    x_hat = mu @ W.T + b
    trace = torch.exp(logvar) @ (W**2).sum(dim=0)
    return (
        vc.gaussian_log_likelihood(x, x_hat)
        - 0.5 * trace
        + vc.gaussian_kl(mu, logvar)
    )
