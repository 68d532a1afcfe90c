# builds the eigenvalues of C and computes log det and the trace term explicitly
def ppca_max_log_likelihood(eigenvalues, k):
    lam = eigenvalues.double()
    d = len(lam)
    sigma2 = lam[k:].sum() / (d - k)
    c = torch.cat([lam[:k], sigma2.repeat(d - k)])  # eigenvalues of C
    trace = (lam / c).sum()  # tr(C^-1 S) in the shared eigenbasis
    return -0.5 * (d * math.log(2 * math.pi) + c.log().sum() + trace)
