# wrong: sigma^2 as the mean of all the eigenvalues, not of the discarded ones
def ppca_max_log_likelihood(eigenvalues, k):
    lam = eigenvalues.double()
    d = lam.numel()
    noise = lam.mean()
    log_det = lam[:k].log().sum() + (d - k) * noise.log()
    return (-0.5 * (d * math.log(2 * math.pi) + log_det + d)).item()
