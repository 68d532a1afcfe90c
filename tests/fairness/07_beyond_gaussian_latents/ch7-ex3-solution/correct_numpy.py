# numpy in float64
import numpy as np


def mig_from_table(mi, h):
    table = np.asarray(mi, dtype=np.float64)
    ordered = np.sort(table, axis=0)[::-1]
    gaps = (ordered[0] - ordered[1]) / np.asarray(h, dtype=np.float64)
    return float(gaps.mean())
