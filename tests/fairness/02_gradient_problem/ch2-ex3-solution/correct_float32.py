# computed in float32
def baseline_score_grad(f, z, mu, sigma, baseline):
    z = z.float()
    centred = f(z) - baseline
    return (
        centred * (z - mu) / sigma**2,
        centred * ((z - mu) ** 2 - sigma**2) / sigma**3,
    )
