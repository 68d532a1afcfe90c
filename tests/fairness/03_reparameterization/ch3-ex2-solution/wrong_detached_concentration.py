# wrong: the concentration detached: right samples, no gradient to k
# expect: 2 points
def weibull_icdf(u, scale, concentration):
    return scale * (-torch.log1p(-u)) ** (1.0 / concentration.detach())
