# wrong: sign of the mu-score flipped
def gaussian_score(z, mu, sigma):
    return (mu - z) / sigma**2, ((z - mu) ** 2 - sigma**2) / sigma**3
