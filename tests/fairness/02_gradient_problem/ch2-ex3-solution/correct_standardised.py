# through eps = (z - mu) / sigma
def baseline_score_grad(f, z, mu, sigma, baseline):
    eps = (z - mu) / sigma
    centred = f(z) - baseline
    return centred * eps / sigma, centred * (eps**2 - 1) / sigma
