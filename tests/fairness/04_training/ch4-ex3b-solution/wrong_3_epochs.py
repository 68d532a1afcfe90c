# partial: the reference's recipe stopped after 3 epochs (a quality level below full credit)
# expect: 0.8-2.6 points
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
