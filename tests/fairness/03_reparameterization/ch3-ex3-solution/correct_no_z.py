# expanded without naming z, with torch.mul
def z_squared_pathwise_grad(mu, sigma, eps):
    d_mu = torch.mul(eps, 2 * sigma) + 2 * mu
    return d_mu, d_mu * eps
