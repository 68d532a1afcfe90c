# row by row with Python loops over the latent dimensions
def linear_gaussian_elbo(W, b, x, mu, logvar):
    rows = []
    d, k = W.shape
    for i in range(x.shape[0]):
        mean = W @ mu[i] + b
        value = -0.5 * ((x[i] - mean) ** 2).sum() - 0.5 * d * math.log(
            2 * math.pi
        )
        for j in range(k):
            var = torch.exp(logvar[i, j])
            value = value - 0.5 * var * (W[:, j] ** 2).sum()
            value = value - 0.5 * (var + mu[i, j] ** 2 - 1 - logvar[i, j])
        rows.append(value)
    return torch.stack(rows)
