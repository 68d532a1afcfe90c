# a helper cell holds the recipe; KL warm-up over 1 epoch, Adam at 1e-2, batches of 32, 14 epochs
# %%
RECIPE = dict(
    epochs=14, batch_size=32, lr=1e-2, kl_warmup_epochs=1, progress=False
)


# %%
def train_vae(net, train_images, seed=0):
    return vc.train(net, train_images, seed=seed, **RECIPE)
