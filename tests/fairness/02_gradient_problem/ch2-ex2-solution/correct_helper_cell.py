# the mean and standard error in a helper cell of their own above the answer cell
def mean_and_stderr(samples):
    """The mean of per-sample estimates and its standard error, as floats."""
    samples = samples.double()
    return samples.mean().item(), samples.std().item() / len(samples) ** 0.5


# %%
def exp_grad_exact(mu, sigma):
    mean = math.exp(mu + sigma**2 / 2)
    return mean, sigma * mean


def exp_grad_score(mu, sigma, n_samples, generator):
    g_mu, g_sigma = vc.score_function_grad(
        torch.exp, mu, sigma, n_samples, generator=generator
    )
    (m_mu, se_mu), (m_sigma, se_sigma) = map(mean_and_stderr, (g_mu, g_sigma))
    return m_mu, m_sigma, se_mu, se_sigma
