# wrong: exp(logvar_q) / exp(logvar_p) overflows for large log-variances in float32
def gaussian_kl_between(mu_q, logvar_q, mu_p, logvar_p):
    var_q, var_p = torch.exp(logvar_q), torch.exp(logvar_p)
    terms = torch.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1
    return 0.5 * terms.sum(dim=-1)
