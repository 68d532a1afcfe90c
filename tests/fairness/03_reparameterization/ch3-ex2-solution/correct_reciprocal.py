# torch.reciprocal for 1/k, then a product
def weibull_icdf(u, scale, concentration):
    e = -torch.log1p(-u)
    return e ** torch.reciprocal(torch.as_tensor(concentration)) * scale
