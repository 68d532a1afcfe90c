# wrong: drops the d log(2 pi) normalising constant
def ppca_max_log_likelihood(eigenvalues, k):
    lam = eigenvalues.double()
    d = lam.numel()
    noise = lam[k:].mean()
    log_det = lam[:k].log().sum() + (d - k) * noise.log()
    return (-0.5 * (log_det + d)).item()
