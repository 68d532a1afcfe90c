# wrong: ignores the generator passed in and draws from a fixed seed of its own
def exp_grad_exact(mu, sigma):
    mean = math.exp(mu + sigma**2 / 2)
    return mean, sigma * mean


def exp_grad_score(mu, sigma, n_samples, generator):
    own = torch.Generator().manual_seed(0)
    g_mu, g_sigma = vc.score_function_grad(
        torch.exp, mu, sigma, n_samples, generator=own
    )
    n = math.sqrt(n_samples)
    return (
        g_mu.mean().item(),
        g_sigma.mean().item(),
        g_mu.std().item() / n,
        g_sigma.std().item() / n,
    )
