# helper cells: the widest hidden layer within the budget for k = 12, and the recipe (KL warm-up over 1 epoch, 14 epochs)
# %%
def widest_mlp(latent_dim, budget=60_000):
    hidden = 1
    while True:
        bigger = vc.MLPVAE(latent_dim, hidden + 1)
        if sum(p.numel() for p in bigger.parameters()) > budget:
            return hidden
        hidden += 1


# %%
RECIPE = dict(
    epochs=14, batch_size=32, lr=1e-2, kl_warmup_epochs=1, progress=False
)


# %%
def vae_design():
    design = {"model": "MLPVAE", "latent_dim": 12}
    design.update(hidden_dim=widest_mlp(12), likelihood="bernoulli")
    return design


def train_vae(net, train_images, seed=0):
    return vc.train(net, train_images, seed=seed, **RECIPE)
