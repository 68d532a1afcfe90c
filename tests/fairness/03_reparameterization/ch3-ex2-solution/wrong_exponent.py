# wrong: power k instead of 1/k
def weibull_icdf(u, scale, concentration):
    return scale * (-torch.log1p(-u)) ** concentration
