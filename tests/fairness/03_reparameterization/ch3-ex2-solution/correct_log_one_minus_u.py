# -log(1 - u) and torch.pow
def weibull_icdf(u, scale, concentration):
    return scale * torch.pow(-torch.log(1 - u), 1 / concentration)
