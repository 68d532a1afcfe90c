# wrong: summed over the batch instead of averaged
def negative_elbo(x, logits, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum()
    return bce + kl
