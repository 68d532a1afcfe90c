# k = 20, 36 hidden units (built with dict()); an own loop with vc.elbo, Adam at 1e-2, batches of 32, 12 epochs; returns the net
def vae_design():
    return dict(model="MLPVAE", latent_dim=20, hidden_dim=36)


def train_vae(net, train_images, seed=0):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for epoch in range(12):
        order = torch.randperm(len(train_images))
        for start in range(0, len(train_images), 32):
            batch = train_images[order[start : start + 32]]
            loss = -vc.elbo(net, batch).elbo.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net
