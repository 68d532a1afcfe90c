# wrong: the likelihood of a full-covariance Gaussian (every eigenvalue kept), not pPCA with k latents
def ppca_max_log_likelihood(eigenvalues, k):
    lam = eigenvalues.double()
    d = lam.numel()
    return (-0.5 * (d * math.log(2 * math.pi) + lam.log().sum() + d)).item()
