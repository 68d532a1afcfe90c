# partial: the reference's recipe stopped after 3 epochs (a quality level below full credit)
# expect: 1.8-3.6 points
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    vc.train(
        net,
        train_images,
        epochs=3,
        batch_size=32,
        lr=1e-2,
        seed=seed,
        progress=False,
    )
