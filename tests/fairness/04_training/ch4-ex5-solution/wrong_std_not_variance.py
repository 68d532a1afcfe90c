# wrong: returns the standard deviation (RMS error), not the variance
# expect: 1 points
def optimal_variance(x, x_hat):
    return (x - x_hat).pow(2).flatten(1).mean(dim=1).sqrt()


def best_gaussian_log_likelihood(x, x_hat):
    s2 = (x - x_hat).pow(2).flatten(1).mean(dim=1)
    return -0.5 * 784 * (torch.log(2 * math.pi * s2) + 1)
