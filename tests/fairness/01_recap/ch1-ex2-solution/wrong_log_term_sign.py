# wrong: + log(sigma_q^2 / sigma_p^2) instead of minus
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    ratio = torch.exp(logvar_q - logvar_p)
    shift = (mu_q - mu_p) ** 2 * torch.exp(-logvar_p)
    return 0.5 * (ratio + shift - 1 + (logvar_q - logvar_p)).sum(dim=-1)
