# wrong: the squared mean difference not divided by sigma_p^2
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    ratio = torch.exp(logvar_q - logvar_p)
    return 0.5 * (ratio + (mu_q - mu_p) ** 2 - 1 - (logvar_q - logvar_p)).sum(
        dim=-1
    )
