# wrong: trains the package's MLPVAE with vc.train (not the student's own VAE) and returns its weights
def fit_vae(train_images, seed=0):
    torch.manual_seed(seed)
    net = vc.MLPVAE(latent_dim=LATENT_DIM)
    vc.train(net, train_images, epochs=2, seed=seed, progress=False)
    return dict(net.state_dict())


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
