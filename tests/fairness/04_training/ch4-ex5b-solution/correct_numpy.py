# NumPy in float64: -d/2 log(2 pi e s^2)
import numpy as np


def best_gaussian_log_likelihood(x, x_hat):
    diff = (x - x_hat).detach().cpu().numpy().reshape(len(x), -1)
    s2 = np.mean(diff**2, axis=1)
    return -0.5 * diff.shape[1] * np.log(2 * np.pi * np.e * s2)
