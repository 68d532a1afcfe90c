# partial: the reference's recipe stopped after 3 epochs (a quality level below full credit)
# expect: 1.5-3.6 points
def fit_vae(train_images, seed=0):
    """Train VAE() on train_images [N, 1, 28, 28]; return its weights."""
    torch.manual_seed(seed)
    net = VAE()
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(3):
        order = torch.randperm(len(train_images), generator=generator)
        for start in range(0, len(train_images), 64):
            x = train_images[order[start : start + 64]]
            mu, logvar = net.encoder(x)
            z = sample_latent(mu, logvar, generator)
            loss = negative_elbo(x, net.decoder(z), mu, logvar)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
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
