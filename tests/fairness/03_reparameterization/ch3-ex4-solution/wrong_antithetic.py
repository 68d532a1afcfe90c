# partly: antithetic pairs +-eps, a little less variance than the baseline
# expect: 0.42 points
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    eps = torch.randn((6, *mu.shape), generator=generator, dtype=mu.dtype)
    eps = torch.cat([eps, -eps])
    _, grad = f_and_grad(mu + sigma * eps)
    return grad.mean(0), (grad * eps).mean(0)
