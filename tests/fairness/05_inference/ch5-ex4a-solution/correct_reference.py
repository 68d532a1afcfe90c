# the reference: logsumexp plus log dA
def grid_log_evidence(log_joint, cell_area):
    """log p(x) = log sum_g p(x, z_g) dA for log_joint [B, G] -> [B] nats."""
    return torch.logsumexp(log_joint, dim=1) + math.log(cell_area)
