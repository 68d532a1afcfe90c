# the power written through exp and log
def weibull_icdf(u, scale, concentration):
    return scale * torch.exp(torch.log(-torch.log1p(-u)) / concentration)
