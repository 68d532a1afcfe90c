# wrong: the substituted squared-error term (d/2) is dropped from the maximum
# expect: 1 points
def optimal_variance(x, x_hat):
    return (x - x_hat).pow(2).flatten(1).mean(dim=1)


def best_gaussian_log_likelihood(x, x_hat):
    s2 = optimal_variance(x, x_hat)
    return -0.5 * 784 * torch.log(2 * math.pi * s2)
