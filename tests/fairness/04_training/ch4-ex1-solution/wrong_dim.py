# wrong: the variance over the units of each image (dim=1)
def count_active_units(mu, threshold=0.01):
    return int((mu.var(dim=1) > threshold).sum().item())
