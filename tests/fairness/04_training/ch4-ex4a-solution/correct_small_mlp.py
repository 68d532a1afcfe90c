# a smaller MLP (k = 10, 256 hidden units), likelihood spelt out
def vae_design():
    design = {"model": "MLPVAE", "latent_dim": 10}
    design.update(hidden_dim=256, likelihood="bernoulli")
    return design
