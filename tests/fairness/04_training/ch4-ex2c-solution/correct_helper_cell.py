# a helper cell yields shuffled batches; Adam at 3e-3, batches of 100, 10 epochs, plain torch.randn eps
# %%
def batches(images, size, generator):
    order = torch.randperm(len(images), generator=generator)
    for start in range(0, len(images), size):
        yield images[order[start : start + size]]


# %%
def fit_vae(train_images, seed=0):
    torch.manual_seed(seed)
    net = VAE()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(seed)
    for epoch in range(10):
        for x in batches(train_images, 100, g):
            mu, logvar = net.encoder(x)
            z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape)
            loss = negative_elbo(x, net.decoder(z), mu, logvar)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.state_dict()


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
