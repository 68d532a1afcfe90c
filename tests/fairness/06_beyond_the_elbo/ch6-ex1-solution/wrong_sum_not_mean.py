# wrong: sigma^2 = sum of squared errors instead of their mean
def best_variance_log_likelihood(x, mean):
    d = x[0].numel()
    var = (x - mean).flatten(1).pow(2).sum(dim=1)
    return -0.5 * d * (torch.log(2 * math.pi * var) + 1)
