# wrong: the KL subtracted instead of added
def negative_elbo(x, logits, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)
    return (bce.sum(dim=(1, 2, 3)) - kl).mean()
