# an own loop (exercise 3's step), batch 64, 12 epochs, returns the net
def train_vae(net, train_images, seed=0):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(12):
        order = torch.randperm(len(train_images))
        for start in range(0, len(train_images), 64):
            batch = train_images[order[start : start + 64]]
            loss = -vc.elbo(net, batch).elbo.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net
