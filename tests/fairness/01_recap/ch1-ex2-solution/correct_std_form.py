# written with standard deviations: log(s_p / s_q) + (s_q^2 + dmu^2) / (2 s_p^2) - 1/2
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    log_ratio = 0.5 * (logvar_p - logvar_q)  # log(s_p / s_q)
    inv_var_p = torch.exp(-logvar_p)
    terms = (
        log_ratio
        + 0.5 * torch.exp(logvar_q - logvar_p)
        + 0.5 * (mu_q - mu_p) ** 2 * inv_var_p
        - 0.5
    )
    return terms.sum(dim=1)
