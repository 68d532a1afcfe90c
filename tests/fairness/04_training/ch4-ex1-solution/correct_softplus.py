# the Bernoulli log-likelihood with softplus, exact at any logit
def beta_vae_loss(x, logits, mu, logvar, beta=1.0):
    log_p = -(x * F.softplus(-logits) + (1 - x) * F.softplus(logits))
    rec = log_p.flatten(1).sum(dim=1)
    kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)
    return (beta * kl - rec).mean()
