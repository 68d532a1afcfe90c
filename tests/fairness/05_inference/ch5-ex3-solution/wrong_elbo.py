# wrong: the mean log-weight (the ELBO estimate)
def iwae_from_log_weights(log_w):
    return log_w.mean(dim=0)
