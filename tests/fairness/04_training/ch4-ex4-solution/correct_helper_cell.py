# correct: the Bernoulli log-likelihood comes from a helper function in a cell of its own above the answer
# %%
def bernoulli_log_likelihood(x, p):
    """sum_j x_j log p_j + (1 - x_j) log(1 - p_j) per row, 0 log 0 = 0."""
    return (torch.xlogy(x, p) + torch.xlogy(1 - x, 1 - p)).sum(dim=1)


# %%
def collapsed_elbo(images):
    """The best ELBO of a collapsed Bernoulli VAE, nats per image."""
    x = images.to(torch.float64).reshape(len(images), -1)
    return bernoulli_log_likelihood(x, x.mean(dim=0)).mean()
