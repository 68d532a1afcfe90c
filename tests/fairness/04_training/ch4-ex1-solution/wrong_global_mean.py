# wrong: one global mean instead of each unit's own (the case)
def count_active_units(mu, threshold=0.01):
    variances = ((mu - mu.mean()) ** 2).mean(dim=0)
    return int((variances > threshold).sum().item())
