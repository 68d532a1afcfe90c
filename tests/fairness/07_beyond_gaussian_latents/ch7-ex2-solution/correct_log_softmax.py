# exp of log_softmax, the noise written with log1p-free steps
def relaxed_sample(logits, tau, u):
    log_u = torch.log(u)
    g = -torch.log(-log_u)
    return torch.log_softmax((logits + g) / tau, dim=-1).exp()
