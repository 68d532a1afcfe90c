# a helper cell above the answer computes each unit's variance; the answer counts them with sum()
# %%
def unit_variances(mu):
    """Var over the images of each unit's mean: [k]."""
    return ((mu - mu.mean(0)) ** 2).mean(0)


# %%
def count_active_units(mu, threshold=0.01):
    return sum(int(v > threshold) for v in unit_variances(mu))
