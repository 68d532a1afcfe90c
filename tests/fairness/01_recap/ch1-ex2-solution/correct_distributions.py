# with torch.distributions.Normal, summed over the flattened data dimensions
def my_gaussian_log_likelihood(x, x_hat):
    return Normal(x_hat, 1.0).log_prob(x).flatten(start_dim=1).sum(dim=1)
