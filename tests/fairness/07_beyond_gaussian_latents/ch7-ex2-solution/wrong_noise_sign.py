# wrong: g = log(-log u), the Gumbel noise with the wrong sign
def relaxed_sample(logits, tau, u):
    g = torch.log(-torch.log(u))
    return torch.softmax((logits + g) / tau, dim=1)
