# the reference: KL from the normalised log-posterior
def grid_gap(log_joint, log_q, cell_area):
    """KL(q(z|x) || p(z|x)) on the grid, [B] nats."""
    log_evidence = grid_log_evidence(log_joint, cell_area)
    log_posterior = log_joint - log_evidence[:, None]
    q = torch.exp(log_q)
    return (q * (log_q - log_posterior)).sum(dim=1) * cell_area
