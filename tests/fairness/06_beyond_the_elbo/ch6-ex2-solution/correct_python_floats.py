# plain Python floats and the math module
def ppca_max_log_likelihood(eigenvalues, k):
    lam = [float(v) for v in eigenvalues]
    d = len(lam)
    sigma2 = sum(lam[k:]) / (d - k)
    total = sum(math.log(v) for v in lam[:k]) + (d - k) * math.log(sigma2)
    return -0.5 * (d * math.log(2 * math.pi) + total + d)
