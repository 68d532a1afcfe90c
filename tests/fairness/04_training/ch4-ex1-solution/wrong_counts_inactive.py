# wrong: counts the inactive units
def count_active_units(mu, threshold=0.01):
    return int((mu.var(dim=0) <= threshold).sum().item())
