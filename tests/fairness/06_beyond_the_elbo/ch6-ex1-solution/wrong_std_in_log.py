# wrong: puts the standard deviation where the variance belongs in the log
def best_variance_log_likelihood(x, mean):
    d = x[0].numel()
    std = (x - mean).flatten(1).pow(2).mean(dim=1).sqrt()
    return -0.5 * d * (torch.log(2 * math.pi * std) + 1)
