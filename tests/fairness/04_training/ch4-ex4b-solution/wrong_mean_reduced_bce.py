# wrong: own loop with a mean-reduced BCE, i.e. a beta-VAE with beta = 784
def train_vae(net, train_images, seed=0):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(10):
        for start in range(0, len(train_images), 128):
            x = train_images[start : start + 128]
            logits, mu, logvar = net(x)
            bce = F.binary_cross_entropy_with_logits(logits, x)  # mean
            loss = bce + vc.gaussian_kl(mu, logvar).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net
