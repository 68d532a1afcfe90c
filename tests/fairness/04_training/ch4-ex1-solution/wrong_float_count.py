# wrong: returns the count as a float (2.0), not an int
def count_active_units(mu, threshold=0.01):
    return (mu.var(dim=0) > threshold).float().sum().item()
