# exact gradient in float32 tensors, returned as 0-d tensors (the case)
def exp_grad_exact(mu, sigma):
    mean = torch.exp(torch.tensor(mu + sigma**2 / 2))
    return mean, sigma * mean


def exp_grad_score(mu, sigma, n_samples, generator):
    g_mu, g_sigma = vc.score_function_grad(
        torch.exp, mu, sigma, n_samples, generator=generator
    )
    n = math.sqrt(n_samples)
    return g_mu.mean(), g_sigma.mean(), g_mu.std() / n, g_sigma.std() / n
