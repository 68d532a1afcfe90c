# wrong: returns the chapter's trained ConvVAE instead of a new model
def build_vae(seed=0):
    return model
