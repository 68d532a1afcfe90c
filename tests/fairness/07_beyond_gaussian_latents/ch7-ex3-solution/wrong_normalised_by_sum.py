# wrong: normalises by the total MI of the factor instead of H
def mig_from_table(mi, h):
    top = torch.topk(mi, 2, dim=0).values
    return ((top[0] - top[1]) / mi.sum(dim=0)).mean().item()
