# probabilities and samples in float64
def sample_bernoulli_decoder(logits, generator=None):
    return torch.bernoulli(torch.sigmoid(logits.double()), generator=generator)
