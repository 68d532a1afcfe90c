# computed in float64 and returned in the inputs' dtype, one dimension at a time
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    total = torch.zeros(mu_q.shape[0], dtype=torch.float64)
    for j in range(mu_q.shape[1]):
        lq, lp = logvar_q[:, j].double(), logvar_p[:, j].double()
        dm = (mu_q[:, j] - mu_p[:, j]).double()
        total += 0.5 * (
            torch.exp(lq - lp) + dm**2 / torch.exp(lp) - 1 + lp - lq
        )
    return total.to(mu_q.dtype)
