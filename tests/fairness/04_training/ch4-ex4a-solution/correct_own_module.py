# an own nn.Module: two hidden layers with tanh, k = 12
import torch.nn as nn


class TwoLayerVAE(nn.Module):
    likelihood = "bernoulli"

    def __init__(self, k=12, h=256):
        super().__init__()
        self.latent_dim = k
        self.body = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, h),
            nn.Tanh(),
            nn.Linear(h, h),
            nn.Tanh(),
        )
        self.head = nn.Linear(h, 2 * k)
        self.dec = nn.Sequential(
            nn.Linear(k, h),
            nn.Tanh(),
            nn.Linear(h, h),
            nn.Tanh(),
            nn.Linear(h, 784),
        )

    def encode(self, x):
        mu, logvar = self.head(self.body(x)).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        return self.dec(z).view(*z.shape[:-1], 1, 28, 28)


def build_vae(seed=0):
    torch.manual_seed(seed)
    return TwoLayerVAE()
