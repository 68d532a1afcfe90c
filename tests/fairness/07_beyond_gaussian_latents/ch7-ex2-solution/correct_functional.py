# torch.nn.functional's softmax over the last dimension
def relaxed_sample(logits, tau, u):
    g = -torch.log(-torch.log(u))
    return torch.nn.functional.softmax((logits + g) / tau, dim=1)
