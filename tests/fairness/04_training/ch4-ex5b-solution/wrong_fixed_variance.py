# wrong: keeps s^2 = 1 (the identity covariance of section 4.5)
def best_gaussian_log_likelihood(x, x_hat):
    return vc.gaussian_log_likelihood(x, x_hat)
