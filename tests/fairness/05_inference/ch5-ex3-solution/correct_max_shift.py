# the max-shift trick by hand
def iwae_from_log_weights(log_w):
    m = log_w.max(dim=0).values
    return m + torch.log(torch.exp(log_w - m).mean(dim=0))
