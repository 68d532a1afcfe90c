# the reference design: MLPVAE(k=20) trained with vc.train for 15 epochs
def build_and_train(train_images, seed=0):
    """A new VAE trained on train_images; its test ELBO is graded."""
    torch.manual_seed(seed)
    net = vc.MLPVAE(latent_dim=20, hidden_dim=400)
    vc.train(net, train_images, epochs=15, seed=seed, progress=False)
    return net.eval()
