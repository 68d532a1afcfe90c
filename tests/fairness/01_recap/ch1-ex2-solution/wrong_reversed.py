# wrong: KL(p || q), the arguments' roles exchanged
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    ratio = torch.exp(logvar_p - logvar_q)
    shift = (mu_q - mu_p) ** 2 * torch.exp(-logvar_q)
    return 0.5 * (ratio + shift - 1 - (logvar_p - logvar_q)).sum(dim=-1)
