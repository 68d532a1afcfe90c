# wrong: divides only the logits by tau, not the noise
def relaxed_sample(logits, tau, u):
    g = -torch.log(-torch.log(u))
    return torch.softmax(logits / tau + g, dim=1)
