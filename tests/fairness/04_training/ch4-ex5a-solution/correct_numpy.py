# computes with NumPy in float64 and returns a NumPy array
import numpy as np


def optimal_variance(x, x_hat):
    diff = (x - x_hat).detach().cpu().numpy().reshape(len(x), -1)
    return np.mean(diff**2, axis=1)
