# the reference: vc.train for 15 epochs
def train_vae(net, train_images, seed=0):
    vc.train(net, train_images, epochs=15, seed=seed, progress=False)
