# wrong: -log(u) instead of -log(1 - u)
def weibull_icdf(u, scale, concentration):
    return scale * (-torch.log(u)) ** (1.0 / concentration)
