# vc.train with KL warm-up over 2 epochs and a larger learning rate
def train_vae(net, train_images, seed=0):
    history = vc.train(
        net,
        train_images,
        epochs=12,
        lr=2e-3,
        kl_warmup_epochs=2,
        seed=seed,
        progress=False,
    )
    return history
