# wrong: trains on the chapter's test digits instead of the given images; the digits kept back show it
# expect: 3-3.9 points
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    vc.train(
        net,
        data.test_images.to(train_images.device),
        epochs=12,
        batch_size=32,
        lr=1e-2,
        seed=seed,
        progress=False,
    )
