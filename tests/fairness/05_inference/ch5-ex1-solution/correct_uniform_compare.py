# uniform noise from the generator compared with sigmoid(logits)
def sample_bernoulli_decoder(logits, generator=None):
    u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype)
    return (u < torch.sigmoid(logits)).float()
