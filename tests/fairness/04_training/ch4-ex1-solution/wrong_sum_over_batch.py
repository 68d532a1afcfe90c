# wrong: the sum over the batch instead of the mean
def beta_vae_loss(x, logits, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum()
    return bce + beta * kl
