# the softmax Jacobian diag(q) - q q^T applied to f, image by image
def exact_logit_gradient(logits, f):
    q = torch.softmax(logits, dim=1)
    jacobian = torch.diag_embed(q) - q[:, :, None] * q[:, None, :]
    return (jacobian @ f[:, :, None])[:, :, 0]
