# log K subtracted before logsumexp
def iwae_from_log_weights(log_w):
    k = log_w.shape[0]
    return torch.logsumexp(log_w - math.log(k), dim=0)
