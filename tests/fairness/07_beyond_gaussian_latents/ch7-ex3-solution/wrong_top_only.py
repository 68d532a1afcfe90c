# wrong: the largest mutual information alone, no gap
def mig_from_table(mi, h):
    return (mi.max(dim=0).values / h).mean().item()
