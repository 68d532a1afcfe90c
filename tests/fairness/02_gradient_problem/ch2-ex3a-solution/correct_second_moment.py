# E[g^2] from the moments of eps, minus the squared mean (2 mu)^2
def baseline_variance(mu, sigma, b):
    c = mu**2 - b
    # g = (c eps + 2 mu sigma eps^2 + sigma^2 eps^3) / sigma
    second = (
        c**2 * 1
        + 4 * mu**2 * sigma**2 * 3
        + sigma**4 * 15
        + 2 * c * sigma**2 * 3
    ) / sigma**2
    return second - (2 * mu) ** 2
