# the log-posterior in a helper cell of the student's own above the answer
def log_posterior_on_grid(log_joint, cell_area):
    evidence = torch.logsumexp(log_joint, dim=1) + math.log(cell_area)
    return log_joint - evidence[:, None]


# %%
def grid_gap(log_joint, log_q, cell_area):
    log_post = log_posterior_on_grid(log_joint, cell_area)
    return (log_q.exp() * (log_q - log_post)).sum(dim=1) * cell_area
