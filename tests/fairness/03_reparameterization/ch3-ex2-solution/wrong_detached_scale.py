# wrong: the scale detached, so no gradient reaches it
# expect: 2 points
def weibull_icdf(u, scale, concentration):
    return scale.detach() * (-torch.log1p(-u)) ** (1.0 / concentration)
