# the gap as log p(x) - ELBO, the ELBO on the grid; own evidence
def grid_gap(log_joint, log_q, cell_area):
    log_px = torch.logsumexp(log_joint, dim=1) + math.log(cell_area)
    q = log_q.exp()
    elbo = (q * (log_joint - log_q)).sum(dim=1) * cell_area
    return log_px - elbo
