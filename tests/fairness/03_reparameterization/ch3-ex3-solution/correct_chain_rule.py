# chain rule spelled out: df/dz times dz/dmu and dz/dsigma
def z_squared_pathwise_grad(mu, sigma, eps):
    df_dz = 2 * (mu + sigma * eps)
    dz_dmu, dz_dsigma = torch.ones_like(eps), eps
    return df_dz * dz_dmu, df_dz * dz_dsigma
