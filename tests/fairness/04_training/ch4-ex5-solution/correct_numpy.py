# computes with NumPy in float64 and returns NumPy arrays
import numpy as np


def optimal_variance(x, x_hat):
    diff = (x - x_hat).detach().cpu().numpy().reshape(len(x), -1)
    return np.mean(diff**2, axis=1)


def best_gaussian_log_likelihood(x, x_hat):
    s2 = optimal_variance(x, x_hat)
    d = 784
    return -0.5 * d * np.log(2 * np.pi * np.e * s2)
