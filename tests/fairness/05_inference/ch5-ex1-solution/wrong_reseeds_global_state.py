# wrong: reseeds the global random state instead of using the generator (the case)
def sample_bernoulli_decoder(logits, generator=None):
    torch.manual_seed(generator.initial_seed())
    return torch.bernoulli(torch.sigmoid(logits))
