# the reference: logsumexp plus log dA; KL from the normalised log-posterior
def grid_log_evidence(log_joint, cell_area):
    """log p(x) = log sum_g p(x, z_g) dA for log_joint [B, G] -> [B] nats."""
    return torch.logsumexp(log_joint, dim=1) + math.log(cell_area)


def grid_gap(log_joint, log_q, cell_area):
    """KL(q(z|x) || p(z|x)) on the grid, [B] nats."""
    log_posterior = (
        log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    )
    q = torch.exp(log_q)
    return (q * (log_q - log_posterior)).sum(dim=1) * cell_area
