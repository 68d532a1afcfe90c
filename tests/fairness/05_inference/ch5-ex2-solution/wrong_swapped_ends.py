# wrong: from z_b to z_a
def interpolate_latents(z_a, z_b, steps):
    t = torch.linspace(0.0, 1.0, steps)[:, None]
    return t * z_a + (1 - t) * z_b
