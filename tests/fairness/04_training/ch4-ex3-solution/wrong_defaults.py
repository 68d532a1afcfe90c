# wrong recipe: vc.train's defaults (Adam at 1e-3, batches of 128) for 16 epochs stay far below the target
# expect: 1-1.8 points
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    vc.train(net, train_images, epochs=16, seed=seed, progress=False)
