# the reference: log det C = sum of the k largest log eigenvalues + (d - k) log sigma^2, tr(C^-1 S) = d
def ppca_max_log_likelihood(eigenvalues, k):
    lam = torch.as_tensor(eigenvalues, dtype=torch.float64)
    d = lam.numel()
    noise = lam[k:].mean()
    log_det = lam[:k].log().sum() + (d - k) * noise.log()
    return (-0.5 * (d * math.log(2 * math.pi) + log_det + d)).item()
