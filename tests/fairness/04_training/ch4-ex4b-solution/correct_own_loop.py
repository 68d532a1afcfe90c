# an own loop (exercise 3's step), batch 64, 12 epochs, in float64
def train_vae(net, train_images, seed=0):
    torch.manual_seed(seed)
    net = net.double()
    images = train_images.double()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(12):
        order = torch.randperm(len(images))
        for start in range(0, len(images), 64):
            batch = images[order[start : start + 64]]
            loss = -vc.elbo(net, batch).total.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net.float()
