# correct: the vertex of the parabola baseline_variance(b), after a wrong part (a) (graded with (a)'s reference, one mistake costs once)
# %% answer ch2-ex3a
def baseline_variance(mu, sigma, b):
    """Wrong: the cross term 6 (mu^2 - b) is missing."""
    c = mu**2 - b
    return c**2 / sigma**2 + 8 * mu**2 + 15 * sigma**2


# %%
def best_baseline(mu, sigma):
    """Var is quadratic in b: the vertex of the parabola through b = -1, 0, 1."""
    v0, v1, v2 = (baseline_variance(mu, sigma, b) for b in (-1.0, 0.0, 1.0))
    return 0.5 * (v0 - v2) / (v0 - 2 * v1 + v2)
