# the reference: p_j = each pixel's mean over the images, xlogy for 0 log 0, float64
def collapsed_elbo(images):
    x = images.double().flatten(1)
    p = x.mean(dim=0)
    log_px = torch.xlogy(x, p) + torch.xlogy(1 - x, 1 - p)
    return log_px.sum(dim=1).mean()
