# wrong: the scale inside the power
def weibull_icdf(u, scale, concentration):
    return (-scale * torch.log1p(-u)) ** (1.0 / concentration)
