# the reference: BCE with logits summed over pixels, closed-form KL, mean over the batch
def negative_elbo(x, logits, mu, logvar):
    """Mean over the batch of -(log p(x|z) - KL): a scalar tensor, nats."""
    reconstruction = -F.binary_cross_entropy_with_logits(
        logits, x, reduction="none"
    ).sum(dim=(1, 2, 3))
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)
    return (kl - reconstruction).mean()
