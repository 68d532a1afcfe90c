# through the standardised value eps = (z - mu) / sigma
def gaussian_score(z, mu, sigma):
    z, mu, sigma = torch.broadcast_tensors(
        torch.as_tensor(z), torch.as_tensor(mu), torch.as_tensor(sigma)
    )
    eps = (z - mu) / sigma
    return eps / sigma, (eps**2 - 1) / sigma
