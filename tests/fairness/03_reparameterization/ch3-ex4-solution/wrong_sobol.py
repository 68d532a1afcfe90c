# partly: scrambled Sobol points through the inverse normal CDF
# expect: 1.98 points
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    rows, k = mu.shape
    seed = int(torch.randint(0, 2**31, (1,), generator=generator))
    sobol = torch.quasirandom.SobolEngine(k * rows, scramble=True, seed=seed)
    u = sobol.draw(12, dtype=torch.float64).clamp(1e-9, 1 - 1e-9)
    eps = vc.normal_icdf(u).view(12, rows, k)
    _, grad = f_and_grad(mu + sigma * eps)
    return grad.mean(0), (grad * eps).mean(0)
