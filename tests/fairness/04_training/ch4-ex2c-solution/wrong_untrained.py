# wrong: returns the untrained weights
# expect: 0 points
def fit_vae(train_images, seed=0):
    return vae_init(seed)
