# the products expanded
def z_squared_pathwise_grad(mu, sigma, eps):
    return 2 * mu + 2 * sigma * eps, 2 * mu * eps + 2 * sigma * eps**2
