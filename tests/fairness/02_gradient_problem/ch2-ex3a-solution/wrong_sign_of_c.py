# wrong: c = b - mu^2, so the cross term has the wrong sign
def baseline_variance(mu, sigma, b):
    c = b - mu**2
    return c**2 / sigma**2 + 6 * c + 8 * mu**2 + 15 * sigma**2
