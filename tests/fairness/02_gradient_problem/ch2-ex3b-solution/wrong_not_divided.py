# wrong: E[f s^2] without dividing by E[s^2] = 1 / sigma^2
def best_baseline(mu, sigma):
    return (mu**2 + 3 * sigma**2) / sigma**2
