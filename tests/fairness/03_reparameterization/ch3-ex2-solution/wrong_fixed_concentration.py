# wrong: the concentration of the visible check (1.5) written in as a number
def weibull_icdf(u, scale, concentration):
    return scale * (-torch.log1p(-u)) ** (1.0 / 1.5)
