# numerically, by Gauss-Hermite quadrature in float64 (exact for polynomials)
import numpy as np


def baseline_variance(mu, sigma, b):
    nodes, weights = np.polynomial.hermite_e.hermegauss(10)
    weights = weights / weights.sum()
    mu, sigma, b = (
        torch.as_tensor(t, dtype=torch.float64) for t in (mu, sigma, b)
    )
    eps = torch.tensor(nodes).reshape(-1, *([1] * mu.dim()))
    w = torch.tensor(weights).reshape(eps.shape)
    g = ((mu + sigma * eps) ** 2 - b) * eps / sigma
    return (w * g**2).sum(0) - ((w * g).sum(0)) ** 2
