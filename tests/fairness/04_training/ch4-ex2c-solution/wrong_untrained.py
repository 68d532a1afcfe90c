# wrong: returns the untrained weights
# expect: 0 points
def fit_vae(train_images, seed=0):
    torch.manual_seed(seed)
    return dict(VAE().state_dict())


# Given: how the grader reads your trained weights (keep this part as it is).
def trained_encode(weights, x):
    """(mu, logvar) of images x under the weights: your VAE, evaluated."""
    net = VAE().eval()
    net.load_state_dict(weights)
    with torch.no_grad():
        return net.encoder(x)


def trained_decode(weights, z):
    """Bernoulli logits of codes z under the weights: your VAE, evaluated."""
    net = VAE().eval()
    net.load_state_dict(weights)
    with torch.no_grad():
        return net.decoder(z)
