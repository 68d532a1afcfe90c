# wrong: a fresh Adam built inside every step loses its state (each step a full-size first step); 2 epochs
# expect: 0-1.5 points
def fit_vae(train_images, seed=0):
    torch.manual_seed(seed)
    net = VAE()
    for epoch in range(2):
        for x in train_images[torch.randperm(len(train_images))].split(64):
            optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
            mu, logvar = net.encoder(x)
            loss = negative_elbo(
                x, net.decoder(sample_latent(mu, logvar)), mu, logvar
            )
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
