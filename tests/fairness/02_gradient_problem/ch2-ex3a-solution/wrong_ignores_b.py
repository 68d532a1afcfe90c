# wrong: the variance without a baseline, whatever b is
def baseline_variance(mu, sigma, b):
    return mu**4 / sigma**2 + 14 * mu**2 + 15 * sigma**2
