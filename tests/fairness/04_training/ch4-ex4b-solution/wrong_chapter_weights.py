# wrong: copies a chapter model's trained weights (section 4.9's sweep)
def train_vae(net, train_images, seed=0):
    trained = next(iter(sweep.values()))["model"]
    net.load_state_dict(trained.state_dict())
