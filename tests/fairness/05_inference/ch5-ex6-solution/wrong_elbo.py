# wrong: the average log-weight (an ELBO estimate), not the log of the average
def my_log_evidence(log_joint, mu, logvar, generator=None):
    n = 100
    std = torch.exp(0.5 * logvar)
    z = mu[:, None] + std[:, None] * torch.randn(
        mu.shape[0], n, 2, generator=generator
    )
    log_w = log_joint(z) - vc.log_normal_diag(z, mu[:, None], logvar[:, None])
    return log_w.mean(dim=1)
