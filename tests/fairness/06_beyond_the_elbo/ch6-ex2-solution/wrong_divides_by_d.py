# wrong: sums the discarded eigenvalues but divides by d instead of d - k
def ppca_max_log_likelihood(eigenvalues, k):
    lam = eigenvalues.double()
    d = lam.numel()
    noise = lam[k:].sum() / d
    log_det = lam[:k].log().sum() + (d - k) * noise.log()
    return (-0.5 * (d * math.log(2 * math.pi) + log_det + d)).item()
