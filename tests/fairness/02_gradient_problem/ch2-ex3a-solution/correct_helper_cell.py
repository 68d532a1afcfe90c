# correct: the Gaussian moments come from a helper function in a cell of its own above the answer
# %%
def central_moment(n, sigma):
    """E[(z - mu)^n] for z ~ N(mu, sigma^2): 0 for odd n, (n - 1)!! sigma^n."""
    if n % 2:
        return 0 * sigma
    double_factorial = 1
    for k in range(n - 1, 0, -2):
        double_factorial *= k
    return double_factorial * sigma**n


# %%
def baseline_variance(mu, sigma, b):
    """Var[(z^2 - b) (z - mu) / sigma^2] for z ~ N(mu, sigma^2)."""
    # with e = z - mu: g = (c e + 2 mu e^2 + e^3) / sigma^2, c = mu^2 - b
    c = mu**2 - b

    def m(n):
        return central_moment(n, sigma)

    second = (
        c**2 * m(2)
        + 4 * mu**2 * m(4)
        + m(6)
        + 4 * c * mu * m(3)
        + 2 * c * m(4)
        + 4 * mu * m(5)
    ) / sigma**4
    return second - (2 * mu) ** 2
