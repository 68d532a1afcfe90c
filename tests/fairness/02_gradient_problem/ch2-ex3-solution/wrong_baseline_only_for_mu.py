# wrong: the baseline subtracted in the mu-estimate only
def baseline_score_grad(f, z, mu, sigma, baseline):
    fz = f(z)
    return (fz - baseline) * (z - mu) / sigma**2, fz * (
        (z - mu) ** 2 - sigma**2
    ) / sigma**3
