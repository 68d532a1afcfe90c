# wrong: averaged over the k dimensions instead of summed
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    ratio = torch.exp(logvar_q - logvar_p)
    shift = (mu_q - mu_p) ** 2 * torch.exp(-logvar_p)
    return 0.5 * (ratio + shift - 1 - (logvar_q - logvar_p)).mean(dim=-1)
