# wrong: the concentration turned into a Python float (one value, no gradient)
def weibull_icdf(u, scale, concentration):
    k = float(concentration.reshape(-1)[0])
    return scale * (-torch.log1p(-u)) ** (1.0 / k)
