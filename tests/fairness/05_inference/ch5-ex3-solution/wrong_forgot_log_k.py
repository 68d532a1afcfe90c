# wrong: log K forgotten
def iwae_from_log_weights(log_w):
    return torch.logsumexp(log_w, dim=0)
