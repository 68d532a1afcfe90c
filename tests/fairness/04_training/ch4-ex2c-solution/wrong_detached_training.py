# wrong: trains with z detached, so the encoder learns only the KL and collapses to the prior
# expect: 0-0.6 points
def fit_vae(train_images, seed=0):
    torch.manual_seed(seed)
    net = VAE()
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    for epoch in range(4):
        for x in train_images[torch.randperm(len(train_images))].split(64):
            mu, logvar = net.encoder(x)
            z = sample_latent(mu, logvar).detach()
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
