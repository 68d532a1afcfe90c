# wrong design: the lecture's ConvVAE with k = 2 still has 88,645 parameters; the recipe is good
# expect: 3 points
def vae_design():
    return dict(model="ConvVAE", latent_dim=2)


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
