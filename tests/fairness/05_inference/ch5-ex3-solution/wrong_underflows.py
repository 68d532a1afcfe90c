# wrong: log(mean(exp)) underflows at -1000
def iwae_from_log_weights(log_w):
    return torch.log(torch.exp(log_w).mean(dim=0))
