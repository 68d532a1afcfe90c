# the variance expanded as a polynomial in b
def baseline_variance(mu, sigma, b):
    return (
        mu**4 / sigma**2
        + 14 * mu**2
        + 15 * sigma**2
        - 2 * b * (mu**2 / sigma**2 + 3)
        + b**2 / sigma**2
    )
