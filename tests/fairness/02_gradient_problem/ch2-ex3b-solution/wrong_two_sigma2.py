# wrong: mu^2 + 2 sigma^2 (E[eps^4] taken as 2)
def best_baseline(mu, sigma):
    return mu**2 + 2 * sigma**2
