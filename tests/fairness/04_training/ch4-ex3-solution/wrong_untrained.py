# wrong: a valid design, left untrained
# expect: 1 points
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    return net
