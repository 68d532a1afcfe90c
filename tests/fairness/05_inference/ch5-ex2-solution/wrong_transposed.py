# wrong: shape [k, steps]
def interpolate_latents(z_a, z_b, steps):
    t = torch.linspace(0.0, 1.0, steps)[:, None]
    return ((1 - t) * z_a + t * z_b).T
