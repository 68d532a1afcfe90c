# plain Python over the factors
def mig_from_table(mi, h):
    gaps = []
    for j in range(mi.shape[1]):
        column = sorted(mi[:, j].tolist(), reverse=True)
        gaps.append((column[0] - column[1]) / float(h[j]))
    return sum(gaps) / len(gaps)
