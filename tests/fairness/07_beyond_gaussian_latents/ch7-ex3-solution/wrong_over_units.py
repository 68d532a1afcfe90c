# wrong: the gap between factors for each unit (rows), divided by H
def mig_from_table(mi, h):
    top = torch.topk(mi, 2, dim=1).values
    return ((top[:, 0] - top[:, 1]) / h.mean()).mean().item()
