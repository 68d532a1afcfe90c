# reduction="sum" divided by the batch size
def beta_vae_loss(x, logits, mu, logvar, beta=1.0):
    batch = x.shape[0]
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = 0.5 * torch.sum(torch.exp(logvar) + mu**2 - 1 - logvar)
    return (bce + beta * kl) / batch
