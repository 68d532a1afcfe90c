# wrong: uses the joint as if it were the posterior (forgets to divide by p(x))
def grid_gap(log_joint, log_q, cell_area):
    q = torch.exp(log_q)
    return (q * (log_q - log_joint)).sum(dim=1) * cell_area
