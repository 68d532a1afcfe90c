# the vertex of the parabola Var(b) = A - 2 B b + C b^2, from the expanded variance
def best_baseline(mu, sigma):
    B = mu**2 / sigma**2 + 3
    C = 1 / sigma**2
    return B / C
