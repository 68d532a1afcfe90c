# wrong: returns the chapter's trained ConvVAE instead of the trained net
def train_vae(net, train_images, seed=0):
    return model
