# wrong: the model is built but never trained (follows the contract: 1 point)
# expect: 1 points
def build_and_train(train_images, seed=0):
    torch.manual_seed(seed)
    return vc.MLPVAE(latent_dim=20)
