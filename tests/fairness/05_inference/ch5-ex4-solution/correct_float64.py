# computes everything in float64 and returns float64, whatever came in
def grid_log_evidence(log_joint, cell_area):
    lj = log_joint.double()
    return torch.logsumexp(lj, 1) + torch.log(
        torch.tensor(cell_area, dtype=torch.float64)
    )


def grid_gap(log_joint, log_q, cell_area):
    lj, lq = log_joint.double(), log_q.double()
    log_p = lj - grid_log_evidence(lj, cell_area).unsqueeze(1)
    return torch.sum(lq.exp() * (lq - log_p), dim=1) * cell_area
