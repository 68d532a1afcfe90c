# the vertex of the parabola b -> baseline_variance(mu, sigma, b) of part (a), from three of its values
def best_baseline(mu, sigma):
    v0 = baseline_variance(mu, sigma, 0.0)
    v1 = baseline_variance(mu, sigma, 1.0)
    v2 = baseline_variance(mu, sigma, 2.0)
    # Var(b) = A + B b + C b^2
    C = (v2 - 2 * v1 + v0) / 2
    B = v1 - v0 - C
    return -B / (2 * C)
