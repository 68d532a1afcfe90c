# part (a) wrong (no cell area) in a cell above, (b) right and calling (a):
# (b) is graded with (a)'s reference
def grid_log_evidence(log_joint, cell_area):
    return torch.logsumexp(log_joint, dim=1)


# %%
def grid_gap(log_joint, log_q, cell_area):
    log_post = log_joint - grid_log_evidence(log_joint, cell_area)[:, None]
    return (log_q.exp() * (log_q - log_post)).sum(dim=1) * cell_area
