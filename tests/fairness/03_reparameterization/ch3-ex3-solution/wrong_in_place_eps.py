# wrong: eps overwritten in place with z (the caller's noise is lost)
def z_squared_pathwise_grad(mu, sigma, eps):
    eps.mul_(sigma).add_(mu)  # eps now holds z
    return 2 * eps, 2 * eps * (eps - mu) / sigma
