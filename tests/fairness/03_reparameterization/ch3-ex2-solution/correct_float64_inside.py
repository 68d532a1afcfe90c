# computed in float64, then back to the inputs' dtype
def weibull_icdf(u, scale, concentration):
    dtype = torch.promote_types(u.dtype, scale.dtype)
    e = -torch.log1p(-u.double())
    z = scale.double() * e.pow(concentration.double().reciprocal())
    return z.to(dtype)
