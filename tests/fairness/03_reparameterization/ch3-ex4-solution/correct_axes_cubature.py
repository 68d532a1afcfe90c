# the spherical-radial rule on the coordinate axes: mu +- sigma sqrt(k) e_j
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    rows, k = mu.shape
    axes = math.sqrt(k) * torch.eye(k, dtype=mu.dtype)
    eps = torch.cat([axes, -axes])[:, None, :].expand(2 * k, rows, k)
    _, grad = f_and_grad(mu + sigma * eps)
    return grad.mean(0), (grad * eps).mean(0)
