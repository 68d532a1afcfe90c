# wrong: the logits clamped to [0, 1] used as probabilities
def sample_bernoulli_decoder(logits, generator=None):
    return torch.bernoulli(logits.clamp(0, 1), generator=generator)
