# wrong: the factor 2 forgotten
def z_squared_pathwise_grad(mu, sigma, eps):
    z = mu + sigma * eps
    return z, z * eps
