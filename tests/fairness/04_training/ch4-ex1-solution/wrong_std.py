# wrong: the standard deviation compared with the threshold
def count_active_units(mu, threshold=0.01):
    return int((mu.std(dim=0) > threshold).sum().item())
