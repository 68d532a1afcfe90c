# wrong: log of the batch size subtracted instead of log K
def iwae_from_log_weights(log_w):
    return torch.logsumexp(log_w, dim=0) - math.log(log_w.shape[1])
