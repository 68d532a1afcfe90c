# wrong: E[eps^6] taken as 3 like E[eps^4]
def baseline_variance(mu, sigma, b):
    c = mu**2 - b
    return c**2 / sigma**2 + 6 * c + 8 * mu**2 + 3 * sigma**2
