# ignores the given net and trains its own ConvVAE (k = 16), lr 2e-3
def train_vae(net, train_images, seed=0):
    torch.manual_seed(seed)
    conv_net = vc.ConvVAE(latent_dim=16)
    vc.train(
        conv_net, train_images, epochs=12, lr=2e-3, seed=seed, progress=False
    )
    return conv_net
