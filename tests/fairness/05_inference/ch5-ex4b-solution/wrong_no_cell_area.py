# wrong: sums q log(q / p) over the points without the cell area dA
def grid_gap(log_joint, log_q, cell_area):
    log_posterior = (
        log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    )
    q = torch.exp(log_q)
    return (q * (log_q - log_posterior)).sum(dim=1)
