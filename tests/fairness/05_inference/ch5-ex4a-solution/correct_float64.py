# computes in float64 and returns float64, whatever came in
def grid_log_evidence(log_joint, cell_area):
    lj = log_joint.double()
    area = torch.tensor(cell_area, dtype=torch.float64)
    return torch.logsumexp(lj, 1) + torch.log(area)
