# computed in float32 (the case: tolerance 1e-9)
def iwae_from_log_weights(log_w):
    return torch.logsumexp(log_w.float(), dim=0) - math.log(log_w.shape[0])
