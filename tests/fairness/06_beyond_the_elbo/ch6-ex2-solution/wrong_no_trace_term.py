# wrong: forgets tr(C^-1 S) = d
def ppca_max_log_likelihood(eigenvalues, k):
    lam = eigenvalues.double()
    d = lam.numel()
    noise = lam[k:].mean()
    log_det = lam[:k].log().sum() + (d - k) * noise.log()
    return (-0.5 * (d * math.log(2 * math.pi) + log_det)).item()
