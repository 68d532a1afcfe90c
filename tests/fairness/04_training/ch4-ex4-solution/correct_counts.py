# from the counts: N_j ones per pixel, sum_j [N_j log p_j + (N - N_j) log(1 - p_j)] / N, masking 0 log 0 by hand, a float
def collapsed_elbo(images):
    x = images.double().reshape(len(images), -1)
    n = x.shape[0]
    ones = x.sum(0)
    p = ones / n
    total = torch.where(ones > 0, ones * torch.log(p), 0.0)
    total = total + torch.where(
        n - ones > 0, (n - ones) * torch.log1p(-p), 0.0
    )
    return float(total.sum() / n)
