# wrong: d counted over the whole batch (x.numel())
def my_gaussian_log_likelihood(x, x_hat):
    sq = ((x - x_hat) ** 2).flatten(1).sum(dim=1)
    return -0.5 * sq - 0.5 * x.numel() * math.log(2 * math.pi)
