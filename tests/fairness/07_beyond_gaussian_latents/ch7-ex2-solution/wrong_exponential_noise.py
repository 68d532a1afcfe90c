# wrong: -log u (exponential noise) instead of -log(-log u)
def relaxed_sample(logits, tau, u):
    g = -torch.log(u)
    return torch.softmax((logits + g) / tau, dim=1)
