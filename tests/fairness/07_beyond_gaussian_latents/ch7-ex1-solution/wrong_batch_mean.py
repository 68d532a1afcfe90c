# wrong: E_q[f] averaged over the batch instead of per image
def exact_logit_gradient(logits, f):
    q = torch.softmax(logits, dim=1)
    return q * (f - (q * f).sum(dim=1).mean())
