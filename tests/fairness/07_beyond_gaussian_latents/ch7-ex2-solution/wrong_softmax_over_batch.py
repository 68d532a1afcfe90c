# wrong: softmax over the images (dim 0) instead of the classes
def relaxed_sample(logits, tau, u):
    g = -torch.log(-torch.log(u))
    return torch.softmax((logits + g) / tau, dim=0)
