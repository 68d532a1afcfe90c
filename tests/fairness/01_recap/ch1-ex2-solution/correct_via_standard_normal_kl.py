# KL to N(0, I) of q standardised by p, plus the log-determinant correction
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    # z -> (z - mu_p) / sigma_p maps p to N(0, I) and q to N(m, v); KL is invariant
    m = (mu_q - mu_p) * torch.exp(-0.5 * logvar_p)
    lv = logvar_q - logvar_p
    return vc.gaussian_kl(m, lv)
