# log p(x|z) through softplus: x * l - softplus(l); sum over the batch, then divide by B
def negative_elbo(x, logits, mu, logvar):
    log_px = (x * logits - F.softplus(logits)).flatten(1).sum(1)
    kl = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp(), dim=1)
    return (kl - log_px).sum() / x.shape[0]
