# float32 arithmetic in the inputs' own dtype
def gaussian_score(z, mu, sigma):
    diff = z - mu
    return diff / sigma**2, diff**2 / sigma**3 - 1 / sigma
