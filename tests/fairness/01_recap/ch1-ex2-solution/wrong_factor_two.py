# wrong: the 1/2 on the squared error forgotten
def my_gaussian_log_likelihood(x, x_hat):
    d = x[0].numel()
    sq = ((x - x_hat) ** 2).flatten(1).sum(dim=1)
    return -sq - 0.5 * d * math.log(2 * math.pi)
