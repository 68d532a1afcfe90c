# float64 result (the case)
def beta_vae_loss(x, logits, mu, logvar, beta=1.0):
    rec = (
        -F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        .flatten(1)
        .sum(1)
    )
    kl = 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)
    return -(rec - beta * kl).mean().double()
