# partly: q with 1.5 times its standard deviation
# expect: 1.1 points
def my_log_evidence(log_joint, mu, logvar, generator=None):
    n = 100
    wide = logvar + 2 * math.log(1.5)
    z = mu[:, None] + torch.exp(0.5 * wide)[:, None] * torch.randn(
        mu.shape[0], n, 2, generator=generator
    )
    log_w = log_joint(z) - vc.log_normal_diag(z, mu[:, None], wide[:, None])
    return torch.logsumexp(log_w, dim=1) - math.log(n)
