# wrong: largest minus smallest instead of largest minus second
def mig_from_table(mi, h):
    gap = mi.max(dim=0).values - mi.min(dim=0).values
    return (gap / h).mean().item()
