# wrong: the reconstruction term averaged over pixels (reduction="mean"), a beta-VAE with beta = 784
def negative_elbo(x, logits, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x)
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)
    return bce + kl.mean()
