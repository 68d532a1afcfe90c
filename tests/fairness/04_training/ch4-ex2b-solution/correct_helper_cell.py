# helper cells above the answer: one for the KL, one for the log-likelihood (logsigmoid), in float64
# %%
def kl_to_prior(mu, logvar):
    """KL(N(mu, exp(logvar)) || N(0, I)) per row, nats."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(-1)


# %%
def bernoulli_log_likelihood(x, logits):
    """log p(x | logits) per image, nats."""
    both = x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)
    return both.flatten(1).sum(-1)


# %%
def negative_elbo(x, logits, mu, logvar):
    x, logits, mu, logvar = (t.double() for t in (x, logits, mu, logvar))
    return torch.mean(
        kl_to_prior(mu, logvar) - bernoulli_log_likelihood(x, logits)
    )
