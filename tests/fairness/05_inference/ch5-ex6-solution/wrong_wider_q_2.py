# partly: q with twice its standard deviation
# expect: 2.3 points
def my_log_evidence(log_joint, mu, logvar, generator=None):
    n = 100
    wide = logvar + 2 * math.log(2.0)
    z = mu[:, None] + torch.exp(0.5 * wide)[:, None] * torch.randn(
        mu.shape[0], n, 2, generator=generator
    )
    log_w = log_joint(z) - vc.log_normal_diag(z, mu[:, None], wide[:, None])
    return torch.logsumexp(log_w, dim=1) - math.log(n)
