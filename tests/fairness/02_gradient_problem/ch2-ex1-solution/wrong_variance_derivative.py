# wrong: derivative with respect to the variance, not sigma
def gaussian_score(z, mu, sigma):
    return (z - mu) / sigma**2, ((z - mu) ** 2 - sigma**2) / (2 * sigma**4)
