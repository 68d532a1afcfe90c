# fits the variance per image, then scores with the chapter's vc.gaussian_log_likelihood_var
def best_variance_log_likelihood(x, mean):
    var = ((x - mean) ** 2).flatten(1).mean(1)
    logvar = var.log().view(-1, *([1] * (x.dim() - 1)))
    return vc.gaussian_log_likelihood_var(x, mean, logvar)
