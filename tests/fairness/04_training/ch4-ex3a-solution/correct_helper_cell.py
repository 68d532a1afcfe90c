# a helper cell picks the widest hidden layer within the budget for k = 8; likelihood spelt out
# %%
def widest_mlp(latent_dim, budget=60_000):
    hidden = 1
    while True:
        bigger = vc.MLPVAE(latent_dim, hidden + 1)
        if sum(p.numel() for p in bigger.parameters()) > budget:
            return hidden
        hidden += 1


# %%
def vae_design():
    design = {"model": "MLPVAE", "latent_dim": 8}
    design.update(hidden_dim=widest_mlp(8), likelihood="bernoulli")
    return design
