# wrong: t = i / steps never reaches z_b
def interpolate_latents(z_a, z_b, steps):
    t = (torch.arange(steps, dtype=z_a.dtype) / steps)[:, None]
    return (1 - t) * z_a + t * z_b
