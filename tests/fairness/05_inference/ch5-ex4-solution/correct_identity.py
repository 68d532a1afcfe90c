# the gap as log p(x) - ELBO, the ELBO on the grid; max-shift by hand
def grid_log_evidence(log_joint, cell_area):
    top = log_joint.max(dim=1, keepdim=True).values
    total = torch.exp(log_joint - top).sum(dim=1) * cell_area
    return top[:, 0] + torch.log(total)


def grid_gap(log_joint, log_q, cell_area):
    q = log_q.exp()
    elbo = (q * (log_joint - log_q)).sum(dim=1) * cell_area
    return grid_log_evidence(log_joint, cell_area) - elbo
