# wrong: multiplies by the temperature instead of dividing
def relaxed_sample(logits, tau, u):
    g = -torch.log(-torch.log(u))
    return torch.softmax((logits + g) * tau, dim=1)
