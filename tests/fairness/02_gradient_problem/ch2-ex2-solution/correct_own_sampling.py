# samples drawn by hand from the generator in float64, the estimator written out
def exp_grad_exact(mu, sigma):
    value = math.exp(mu + 0.5 * sigma**2)
    return value, sigma * value


def exp_grad_score(mu, sigma, n_samples, generator):
    eps = torch.randn(n_samples, generator=generator, dtype=torch.float64)
    z = mu + sigma * eps
    g_mu = torch.exp(z) * eps / sigma
    g_sigma = torch.exp(z) * (eps**2 - 1) / sigma
    n = math.sqrt(n_samples)
    return g_mu.mean(), g_sigma.mean(), g_mu.std() / n, g_sigma.std() / n
