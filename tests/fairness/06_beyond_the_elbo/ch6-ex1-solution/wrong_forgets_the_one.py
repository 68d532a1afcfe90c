# wrong: drops the -d/2 that the squared-error term contributes at the optimum
def best_variance_log_likelihood(x, mean):
    d = x[0].numel()
    var = (x - mean).flatten(1).pow(2).mean(dim=1)
    return -0.5 * d * torch.log(2 * math.pi * var)
