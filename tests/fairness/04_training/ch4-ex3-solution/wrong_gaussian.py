# wrong design: a Gaussian decoder, whose ELBO is not in the Bernoulli model's nats; the recipe is good
# expect: 3 points
def vae_design():
    return {
        "model": "MLPVAE",
        "latent_dim": 16,
        "hidden_dim": 36,
        "likelihood": "gaussian",
    }


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
