# wrong: leaves the model untrained
def train_vae(net, train_images, seed=0):
    return net
