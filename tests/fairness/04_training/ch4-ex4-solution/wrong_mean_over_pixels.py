# wrong: averages over the pixels instead of summing them (nats per pixel)
def collapsed_elbo(images):
    x = images.double().flatten(1)
    p = x.mean(dim=0)
    return (torch.xlogy(x, p) + torch.xlogy(1 - x, 1 - p)).mean()
