# with numpy
import numpy as np


def count_active_units(mu, threshold=0.01):
    variances = np.var(mu.detach().cpu().numpy(), axis=0)
    return int(np.count_nonzero(variances > threshold))
