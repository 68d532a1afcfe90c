# wrong: E[g^2], the squared mean (2 mu)^2 not subtracted
def baseline_variance(mu, sigma, b):
    c = mu**2 - b
    return c**2 / sigma**2 + 6 * c + 12 * mu**2 + 15 * sigma**2
