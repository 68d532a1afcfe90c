# written with the standard deviation and torch.sum
def my_gaussian_kl(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return 0.5 * torch.sum(
        std**2 + mu.pow(2) - 1.0 - 2 * torch.log(std), dim=-1
    )
