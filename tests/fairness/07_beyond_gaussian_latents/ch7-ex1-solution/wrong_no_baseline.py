# wrong: q_j f_j, forgetting that q_c depends on every logit
def exact_logit_gradient(logits, f):
    q = torch.softmax(logits, dim=1)
    return q * f
