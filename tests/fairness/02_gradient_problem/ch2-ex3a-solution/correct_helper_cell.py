# the Gaussian moments in a helper cell of their own above the answer cell
def normal_moment(n):
    """E[eps^n] for eps ~ N(0, 1): 0 for odd n, (n - 1)!! for even n."""
    if n % 2:
        return 0
    return math.prod(range(n - 1, 0, -2))


# %%
def baseline_variance(mu, sigma, b):
    c = mu**2 - b
    # g = (c eps + 2 mu sigma eps^2 + sigma^2 eps^3) / sigma
    second = (
        c**2 * normal_moment(2)
        + 4 * mu**2 * sigma**2 * normal_moment(4)
        + sigma**4 * normal_moment(6)
        + 2 * c * sigma**2 * normal_moment(4)
    ) / sigma**2
    return second - (2 * mu) ** 2
