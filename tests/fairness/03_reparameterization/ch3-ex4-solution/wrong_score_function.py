# wrong: the score-function estimator (values only): far more variance
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    eps = torch.randn((12, *mu.shape), generator=generator, dtype=mu.dtype)
    value, _ = f_and_grad(mu + sigma * eps)
    value = value[..., None]
    return (value * eps / sigma).mean(0), (value * (eps**2 - 1) / sigma).mean(
        0
    )
