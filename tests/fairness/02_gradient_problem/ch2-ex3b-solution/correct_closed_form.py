# b* = mu^2 + 3 sigma^2, written as E[f] + 2 sigma^2
def best_baseline(mu, sigma):
    expected_f = mu**2 + sigma**2
    return expected_f + 2 * sigma**2
