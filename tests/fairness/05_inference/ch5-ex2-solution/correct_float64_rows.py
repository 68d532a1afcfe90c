# a list of rows, stacked, in float64
def interpolate_latents(z_a, z_b, steps):
    rows = []
    for i in range(steps):
        t = i / (steps - 1)
        rows.append((1 - t) * z_a.double() + t * z_b.double())
    return torch.stack(rows)
