# wrong in float32 at extreme logits: binary_cross_entropy(sigmoid(logits), x)
def beta_vae_loss(x, logits, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="none")
    kl = 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)
    return (bce.flatten(1).sum(1) + beta * kl).mean()
