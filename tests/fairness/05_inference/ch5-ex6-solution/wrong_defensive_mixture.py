# partly: a defensive mixture (q with 2x std, prior), in float64
# expect: 3.63 points
def my_log_evidence(log_joint, mu, logvar, generator=None):
    n, w_q = 100, 0.5
    mu, logvar = mu.double(), logvar.double()
    wide = logvar + 2 * math.log(2.0)
    from_q = mu[:, None] + torch.exp(0.5 * wide)[:, None] * torch.randn(
        mu.shape[0], n, 2, generator=generator, dtype=torch.float64
    )
    from_prior = torch.randn(
        mu.shape[0], n, 2, generator=generator, dtype=torch.float64
    )
    pick = torch.rand(mu.shape[0], n, 1, generator=generator) < w_q
    z = torch.where(pick, from_q, from_prior)
    zeros = torch.zeros_like(z)
    log_r = torch.logaddexp(
        math.log(w_q) + vc.log_normal_diag(z, mu[:, None], wide[:, None]),
        math.log(1 - w_q) + vc.log_normal_diag(z, zeros, zeros),
    )
    log_w = log_joint(z.float()).double() - log_r
    return torch.logsumexp(log_w, dim=1) - math.log(n)
