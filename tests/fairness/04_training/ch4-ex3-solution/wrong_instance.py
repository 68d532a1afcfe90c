# wrong design: returns a model instead of a design (a dict); the recipe is good
# expect: 3 points
def vae_design():
    return vc.MLPVAE(latent_dim=16, hidden_dim=36)


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
