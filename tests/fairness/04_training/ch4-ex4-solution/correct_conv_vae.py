# the lecture's ConvVAE, k = 16, 12 epochs, a larger learning rate
def build_and_train(train_images, seed=0):
    torch.manual_seed(seed)
    net = vc.ConvVAE(latent_dim=16)
    vc.train(net, train_images, epochs=12, lr=2e-3, seed=seed, progress=False)
    return net
