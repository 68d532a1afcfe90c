# wrong: d/dsigma without the factor eps
def z_squared_pathwise_grad(mu, sigma, eps):
    z = mu + sigma * eps
    return 2 * z, 2 * z
