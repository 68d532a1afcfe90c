# wrong: f at the mean, mu^2
def best_baseline(mu, sigma):
    return mu**2
