# wrong: returns the chapter's trained ConvVAE instead of training a new one
def build_and_train(train_images, seed=0):
    return model
