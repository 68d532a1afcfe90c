# a hand-written stable softmax: subtract the row maximum
def relaxed_sample(logits, tau, u):
    a = (logits - torch.log(-torch.log(u))) / tau
    a = a - a.max(dim=1, keepdim=True).values
    e = torch.exp(a)
    return e / e.sum(dim=1, keepdim=True)
