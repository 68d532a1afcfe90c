# wrong: the normalising constant forgotten
def my_gaussian_log_likelihood(x, x_hat):
    return -0.5 * ((x - x_hat) ** 2).flatten(1).sum(dim=1)
