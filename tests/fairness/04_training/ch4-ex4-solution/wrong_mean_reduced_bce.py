# wrong: own loop with a mean-reduced BCE, i.e. beta = 784 (contract only)
# expect: 1 points
def build_and_train(train_images, seed=0):
    torch.manual_seed(seed)
    net = vc.MLPVAE(latent_dim=20)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(10):
        for start in range(0, len(train_images), 128):
            x = train_images[start : start + 128]
            logits, mu, logvar = net(x)
            bce = F.binary_cross_entropy_with_logits(logits, x)  # mean
            kl = vc.gaussian_kl(mu, logvar).mean()
            loss = bce + kl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net
