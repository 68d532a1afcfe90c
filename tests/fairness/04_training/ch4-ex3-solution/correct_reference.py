# the reference: MLPVAE k = 16, 36 hidden units; vc.train, Adam at 1e-2, batches of 32, 12 epochs
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    vc.train(
        net,
        train_images,
        epochs=12,
        batch_size=32,
        lr=1e-2,
        seed=seed,
        progress=False,
    )
