# wrong: sigma^2 instead of sigma^3 in the sigma-score
def baseline_score_grad(f, z, mu, sigma, baseline):
    centred = f(z) - baseline
    return centred * (z - mu) / sigma**2, centred * (
        (z - mu) ** 2 - sigma**2
    ) / sigma**2
