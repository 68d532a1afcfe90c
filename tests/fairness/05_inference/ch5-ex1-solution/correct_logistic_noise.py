# the logistic trick: logit(u) < logits
def sample_bernoulli_decoder(logits, generator=None):
    u = torch.rand(logits.shape, generator=generator)
    return (torch.log(u) - torch.log1p(-u) < logits).to(logits.dtype)
