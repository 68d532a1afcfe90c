# torch.tensor(t) on tensors: a UserWarning on stderr (the case)
def gaussian_score(z, mu, sigma):
    z, mu, sigma = (
        torch.tensor(t, dtype=torch.float64) for t in (z, mu, sigma)
    )
    return (z - mu) / sigma**2, ((z - mu) ** 2 - sigma**2) / sigma**3
