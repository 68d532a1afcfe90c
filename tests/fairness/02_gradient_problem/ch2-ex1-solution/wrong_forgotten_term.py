# wrong: the -1/sigma term of the sigma-score forgotten
def gaussian_score(z, mu, sigma):
    return (z - mu) / sigma**2, (z - mu) ** 2 / sigma**3
