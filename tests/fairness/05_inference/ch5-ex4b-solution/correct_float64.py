# float64 throughout, posterior normalised with log_softmax
def grid_gap(log_joint, log_q, cell_area):
    lj, lq = log_joint.double(), log_q.double()
    log_p = torch.log_softmax(lj, dim=1) - math.log(cell_area)
    return torch.sum(lq.exp() * (lq - log_p), dim=1) * cell_area
