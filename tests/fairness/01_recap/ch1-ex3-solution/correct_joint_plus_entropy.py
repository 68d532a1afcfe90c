# E_q[log p(x, z)] plus the entropy of q, with an explicit covariance W diag(s2) W^T
def linear_gaussian_elbo(W, b, x, mu, logvar):
    d, k = W.shape
    s2 = torch.exp(logvar)  # [batch, k]
    resid = x - b - torch.einsum("dk,bk->bd", W, mu)
    cov = torch.einsum("dk,bk,ek->bde", W, s2, W)  # [batch, d, d]
    trace = torch.diagonal(cov, dim1=1, dim2=2).sum(dim=1)
    log_lik = (
        -0.5 * (resid**2).sum(1) - 0.5 * trace - d / 2 * math.log(2 * math.pi)
    )
    log_prior = -0.5 * (mu**2 + s2).sum(1) - k / 2 * math.log(2 * math.pi)
    entropy = 0.5 * (logvar + 1 + math.log(2 * math.pi)).sum(1)
    return log_lik + log_prior + entropy
