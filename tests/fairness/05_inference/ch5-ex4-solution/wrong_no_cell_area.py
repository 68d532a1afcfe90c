# wrong: forgets the cell area dA in the evidence (the sum is not an integral)
# expect: 0 points
def grid_log_evidence(log_joint, cell_area):
    return torch.logsumexp(log_joint, dim=1)


def grid_gap(log_joint, log_q, cell_area):
    log_posterior = (
        log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    )
    q = torch.exp(log_q)
    return (q * (log_q - log_posterior)).sum(dim=1) * cell_area
