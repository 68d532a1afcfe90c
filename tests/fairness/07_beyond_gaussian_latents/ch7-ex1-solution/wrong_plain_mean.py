# wrong: subtracts the unweighted mean of f instead of E_q[f]
def exact_logit_gradient(logits, f):
    q = torch.softmax(logits, dim=1)
    return q * (f - f.mean(dim=1, keepdim=True))
