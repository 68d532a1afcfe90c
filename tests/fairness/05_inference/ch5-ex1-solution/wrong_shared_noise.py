# wrong: one uniform number shared by all pixels (not independent)
def sample_bernoulli_decoder(logits, generator=None):
    u = torch.rand(1, generator=generator)
    return (u < torch.sigmoid(logits)).float()
