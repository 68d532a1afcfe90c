# standard deviation with 1/n (unbiased=False)
def exp_grad_exact(mu, sigma):
    mean = math.exp(mu + 0.5 * sigma * sigma)
    return mean, sigma * mean


def exp_grad_score(mu, sigma, n_samples, generator):
    g_mu, g_sigma = vc.score_function_grad(
        torch.exp, mu, sigma, n_samples, generator=generator
    )
    se = [
        g.std(unbiased=False).item() / n_samples**0.5 for g in (g_mu, g_sigma)
    ]
    return g_mu.mean().item(), g_sigma.mean().item(), se[0], se[1]
