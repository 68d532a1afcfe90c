# the reference: -d/2 (log(2 pi s^2) + 1) at the optimal s^2
def best_gaussian_log_likelihood(x, x_hat):
    """max over s^2 of log N(x; x_hat, s^2 I), per image: [B] nats."""
    d = x[0].numel()
    s2 = optimal_variance(x, x_hat)
    return -0.5 * d * (torch.log(2 * math.pi * s2) + 1)
