# two stages: a mixture of q and the prior, then a Gaussian fitted to the
# weighted samples (its std x 1.5); every sample keeps its own proposal
def _mixture(log_joint, mu, wide, n, generator):
    batch = mu.shape[0]
    z_q = mu[:, None] + torch.exp(0.5 * wide)[:, None] * torch.randn(
        batch, n, 2, generator=generator, dtype=mu.dtype
    )
    z_p = torch.randn(batch, n, 2, generator=generator, dtype=mu.dtype)
    pick = torch.rand(batch, n, 1, generator=generator) < 0.5
    z = torch.where(pick, z_q, z_p)
    zeros = torch.zeros_like(z)
    log_r = torch.logaddexp(
        math.log(0.5) + vc.log_normal_diag(z, mu[:, None], wide[:, None]),
        math.log(0.5) + vc.log_normal_diag(z, zeros, zeros),
    )
    return z, log_joint(z.float()).double() - log_r


def my_log_evidence(log_joint, mu, logvar, generator=None):
    mu, logvar = mu.double(), logvar.double()
    z1, log_w1 = _mixture(
        log_joint, mu, logvar + 2 * math.log(2.0), 50, generator
    )
    share = torch.softmax(log_w1, dim=1)[..., None]
    centre = (share * z1).sum(1)
    spread = (share * (z1 - centre[:, None]) ** 2).sum(1) + 1e-2
    fitted = torch.log(spread) + 2 * math.log(1.5)
    z2, log_w2 = _mixture(log_joint, centre, fitted, 50, generator)
    log_w = torch.cat([log_w1, log_w2], dim=1)
    return torch.logsumexp(log_w, dim=1) - math.log(100)
