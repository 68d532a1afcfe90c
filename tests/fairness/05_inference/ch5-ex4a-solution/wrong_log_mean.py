# wrong: the log of the mean over the grid points, not the integral
def grid_log_evidence(log_joint, cell_area):
    return torch.logsumexp(log_joint, dim=1) - math.log(log_joint.shape[1])
