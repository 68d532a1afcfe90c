# wrong: one number, the ELBO averaged over the batch
def linear_gaussian_elbo(W, b, x, mu, logvar):
    x_hat = mu @ W.T + b
    trace = torch.exp(logvar) @ (W**2).sum(dim=0)
    elbo = (
        vc.gaussian_log_likelihood(x, x_hat)
        - 0.5 * trace
        - vc.gaussian_kl(mu, logvar)
    )
    return elbo.mean()
