# the reference's design, trained in float64 in place (net.double()) with the reference's recipe
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    net.double()
    vc.train(
        net,
        train_images.double(),
        epochs=12,
        batch_size=32,
        lr=1e-2,
        seed=seed,
        progress=False,
    )
