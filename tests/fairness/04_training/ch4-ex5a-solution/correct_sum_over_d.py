# sums over (1, 2, 3) and divides by d = 28 * 28
def optimal_variance(x, x_hat):
    return ((x - x_hat) ** 2).sum(dim=(1, 2, 3)) / (28 * 28)
