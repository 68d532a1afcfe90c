# wrong: trains a copy of net and returns it; the given net stays untrained
# expect: 1 points
import copy


def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    trained = copy.deepcopy(net)
    vc.train(
        trained,
        train_images,
        epochs=12,
        batch_size=32,
        lr=1e-2,
        seed=seed,
        progress=False,
    )
    return trained
