# sorts each column in descending order
def mig_from_table(mi, h):
    ordered = mi.sort(dim=0, descending=True).values
    return float(((ordered[0] - ordered[1]) / h).mean())
