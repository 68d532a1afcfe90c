# wrong: a Gaussian decoder, whose ELBO is not in the Bernoulli model's nats
def build_and_train(train_images, seed=0):
    torch.manual_seed(seed)
    net = vc.MLPVAE(latent_dim=20, likelihood="gaussian")
    vc.train(net, train_images, epochs=5, seed=seed, progress=False)
    return net
