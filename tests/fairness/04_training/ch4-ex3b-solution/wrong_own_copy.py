# wrong: trains a copy of net and returns it; the given net stays untrained
import copy


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
