# wrong: the two gradients returned in the wrong order
def z_squared_pathwise_grad(mu, sigma, eps):
    z = mu + sigma * eps
    return 2 * z * eps, 2 * z
