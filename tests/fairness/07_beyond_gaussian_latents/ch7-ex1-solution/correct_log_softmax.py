# q from log_softmax, the baseline as a separate variable, in float64
def exact_logit_gradient(logits, f):
    q = torch.log_softmax(logits.double(), dim=-1).exp()
    f = f.double()
    baseline = torch.einsum("bk,bk->b", q, f)
    return q * (f - baseline[:, None])
