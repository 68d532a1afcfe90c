# wrong: the cross term 6 (mu^2 - b) between c eps and sigma^2 eps^3 left out
def baseline_variance(mu, sigma, b):
    c = mu**2 - b
    return c**2 / sigma**2 + 8 * mu**2 + 15 * sigma**2
