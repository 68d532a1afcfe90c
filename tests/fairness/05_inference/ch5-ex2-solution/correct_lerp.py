# torch.lerp with a column of weights
def interpolate_latents(z_a, z_b, steps):
    t = torch.linspace(0, 1, steps).unsqueeze(1)
    return torch.lerp(z_a, z_b, t)
