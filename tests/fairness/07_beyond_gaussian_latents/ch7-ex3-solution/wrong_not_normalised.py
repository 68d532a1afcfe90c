# wrong: the gap in nats, not divided by the entropy
def mig_from_table(mi, h):
    top = torch.topk(mi, 2, dim=0).values
    return (top[0] - top[1]).mean().item()
