# wrong design: the chapter's MLPVAE (652,824 parameters, over the budget); the recipe, applied to the default design, is good
# expect: 3 points
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 20, "hidden_dim": 400}


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
