# wrong: uses the joint as if it were the posterior (forgets to divide by p(x))
# expect: 1 points
def grid_log_evidence(log_joint, cell_area):
    return torch.logsumexp(log_joint, dim=1) + math.log(cell_area)


def grid_gap(log_joint, log_q, cell_area):
    q = torch.exp(log_q)
    return (q * (log_q - log_joint)).sum(dim=1) * cell_area
