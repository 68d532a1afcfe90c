# variance by hand about each unit's mean, counted with a generator expression
def count_active_units(mu, threshold=0.01):
    centred = mu - mu.mean(dim=0, keepdim=True)
    variances = (centred**2).sum(dim=0) / (mu.shape[0] - 1)
    return sum(1 for v in variances.tolist() if v > threshold)
