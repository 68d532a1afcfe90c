# start plus a fraction of the direction
def interpolate_latents(z_a, z_b, steps):
    t = torch.arange(steps, dtype=z_a.dtype)[:, None] / (steps - 1)
    return z_a + t * (z_b - z_a)
