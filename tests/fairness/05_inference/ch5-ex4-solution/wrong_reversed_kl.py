# wrong: KL(p(z|x) || q) instead of KL(q || p(z|x)); the evidence part is right
# expect: 1 points
def grid_log_evidence(log_joint, cell_area):
    return torch.logsumexp(log_joint, dim=1) + math.log(cell_area)


def grid_gap(log_joint, log_q, cell_area):
    log_posterior = (
        log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    )
    p = torch.exp(log_posterior)
    return (p * (log_posterior - log_q)).sum(dim=1) * cell_area
