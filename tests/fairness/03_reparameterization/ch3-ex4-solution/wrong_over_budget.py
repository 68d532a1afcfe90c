# wrong: the cubature rule twice over (24 points per row, the budget is 12)
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    rows, k = mu.shape
    axes = math.sqrt(k) * torch.eye(k, dtype=mu.dtype)
    eps = torch.cat([axes, -axes])[:, None, :].expand(2 * k, rows, k)
    _, grad = f_and_grad(mu + sigma * eps)
    _, again = f_and_grad(mu + sigma * eps)
    grad = (grad + again) / 2
    return grad.mean(0), (grad * eps).mean(0)
