# wrong: the variance divided by sqrt(n)
def exp_grad_exact(mu, sigma):
    mean = math.exp(mu + sigma**2 / 2)
    return mean, sigma * mean


def exp_grad_score(mu, sigma, n_samples, generator):
    g_mu, g_sigma = vc.score_function_grad(
        torch.exp, mu, sigma, n_samples, generator=generator
    )
    n = math.sqrt(n_samples)
    return (
        g_mu.mean().item(),
        g_sigma.mean().item(),
        g_mu.var().item() / n,
        g_sigma.var().item() / n,
    )
