# the sigma-score as two terms
def baseline_score_grad(f, z, mu, sigma, baseline):
    weight = f(z) - baseline
    score_mu = (z - mu) / sigma**2
    score_sigma = (z - mu) ** 2 / sigma**3 - 1 / sigma
    return weight * score_mu, weight * score_sigma
