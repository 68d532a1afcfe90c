# wrong: the most likely value, not a sample
def sample_bernoulli_decoder(logits, generator=None):
    return (torch.sigmoid(logits) > 0.5).float()
