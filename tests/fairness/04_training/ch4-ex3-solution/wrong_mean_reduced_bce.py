# wrong: own loop with a mean-reduced BCE, i.e. a beta-VAE with beta = 784 (posterior collapse)
# expect: 1-1.3 points
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 16, "hidden_dim": 36}


def train_vae(net, train_images, seed=0):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for epoch in range(6):
        for start in range(0, len(train_images), 32):
            x = train_images[start : start + 32]
            logits, mu, logvar = net(x)
            bce = F.binary_cross_entropy_with_logits(logits, x)  # mean
            loss = bce + vc.gaussian_kl(mu, logvar).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net
