# a helper cell gives the Bernoulli cross-entropy with 0 log 0 = 0 (clamped logs, masked); the answer averages it
# %%
def bernoulli_log_likelihood(x, p):
    """sum over pixels of x log p + (1 - x) log(1 - p), per image."""
    log_p = torch.log(p.clamp_min(1e-300))
    log_q = torch.log((1 - p).clamp_min(1e-300))
    return (x * log_p + (1 - x) * log_q).sum(dim=1)


# %%
def collapsed_elbo(images):
    x = images.to(torch.float64).flatten(start_dim=1)
    best = x.mean(dim=0, keepdim=True)
    return bernoulli_log_likelihood(x, best).mean().item()
