# wrong: p_j from binarised images (x > 0.5), the mode of each pixel rather than its mean, clamped
def collapsed_elbo(images):
    x = images.double().flatten(1)
    p = (x > 0.5).double().mean(dim=0).clamp(1e-6, 1 - 1e-6)
    return (x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(1).mean()
