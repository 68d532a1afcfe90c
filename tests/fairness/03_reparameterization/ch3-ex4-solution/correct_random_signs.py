# the axes rule with a random permutation and random signs per row
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    rows, k = mu.shape
    perm = torch.rand(rows, k, generator=generator).argsort(dim=1)
    signs = torch.where(
        torch.rand(rows, k, generator=generator) < 0.5, -1.0, 1.0
    ).to(mu.dtype)
    basis = torch.eye(k, dtype=mu.dtype)[perm] * signs[:, :, None]
    directions = math.sqrt(k) * basis.permute(1, 0, 2)  # [k, R, k]
    eps = torch.cat([directions, -directions])
    _, grad = f_and_grad(mu + sigma * eps)
    return grad.mean(0), (grad * eps).mean(0)
