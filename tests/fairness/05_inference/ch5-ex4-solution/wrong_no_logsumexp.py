# wrong: exp, sum, log: underflows to -inf for MNIST log-joints of -170 nats
# expect: 0 points
def grid_log_evidence(log_joint, cell_area):
    return torch.log(torch.exp(log_joint).sum(dim=1) * cell_area)


def grid_gap(log_joint, log_q, cell_area):
    log_posterior = (
        log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    )
    q = torch.exp(log_q)
    return (q * (log_q - log_posterior)).sum(dim=1) * cell_area
