# variance with 1/N (unbiased=False)
def count_active_units(mu, threshold=0.01):
    return int((mu.var(dim=0, unbiased=False) > threshold).sum())
