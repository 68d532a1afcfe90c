# a random rotation (QR of a Gaussian matrix), the + and - halves in two calls
def my_gradient_estimate(f_and_grad, mu, sigma, generator=None):
    rows, k = mu.shape
    gauss = torch.randn(rows, k, k, generator=generator, dtype=torch.float64)
    rotation = torch.linalg.qr(gauss).Q
    eps = math.sqrt(k) * rotation.transpose(1, 2).transpose(0, 1)
    _, plus = f_and_grad(mu + sigma * eps)
    _, minus = f_and_grad(mu - sigma * eps)
    g_mu = (plus + minus).mean(0) / 2
    g_sigma = ((plus - minus) * eps).mean(0) / 2
    return g_mu, g_sigma
