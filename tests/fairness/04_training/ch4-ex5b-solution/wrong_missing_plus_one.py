# wrong: drops the substituted squared-error term (the + 1)
def best_gaussian_log_likelihood(x, x_hat):
    s2 = optimal_variance(x, x_hat)
    return -0.5 * 784 * torch.log(2 * math.pi * s2)
