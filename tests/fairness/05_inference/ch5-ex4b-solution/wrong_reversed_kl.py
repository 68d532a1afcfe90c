# wrong: KL(p(z|x) || q) instead of KL(q || p(z|x))
def grid_gap(log_joint, log_q, cell_area):
    log_posterior = (
        log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    )
    p = torch.exp(log_posterior)
    return (p * (log_posterior - log_q)).sum(dim=1) * cell_area
