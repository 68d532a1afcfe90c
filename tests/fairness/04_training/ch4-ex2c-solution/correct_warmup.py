# KL warm-up over the first 3 epochs (beta from 0 to 1) in an own loss, Adam at 2e-3, 14 epochs, batches of 64
def fit_vae(train_images, seed=0):
    torch.manual_seed(seed)
    net = VAE()
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    n = len(train_images)
    step, warm = 0, 3 * ((n + 63) // 64)
    for epoch in range(14):
        for idx in torch.randperm(n).split(64):
            x = train_images[idx]
            mu, logvar = net.encoder(x)
            z = sample_latent(mu, logvar)
            logits = net.decoder(z)
            rec = F.binary_cross_entropy_with_logits(
                logits, x, reduction="none"
            ).sum(dim=(1, 2, 3))
            kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)
            beta = min(1.0, step / warm)
            loss = (rec + beta * kl).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
    return {k: v.clone() for k, v in net.state_dict().items()}


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
