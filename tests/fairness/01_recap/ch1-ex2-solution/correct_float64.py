# float64 result (the case)
def my_gaussian_log_likelihood(x, x_hat):
    d = x[0].numel()
    sq = ((x - x_hat) ** 2).reshape(x.shape[0], -1).sum(dim=1)
    return (-0.5 * sq - 0.5 * d * math.log(2 * math.pi)).double()
