# convolutional networks, one linear head split into mu and logvar, eps by normal_(generator=...)
from torch import nn

LATENT_DIM = 20  # k, the number of latent units (yours to choose)


class Encoder(nn.Module):
    """q(z|x): images [B, 1, 28, 28] -> (mu, logvar), each [B, k]."""

    def __init__(self, latent_dim=LATENT_DIM):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 4, stride=2, padding=1),  # 14 x 14
            nn.ReLU(),
            nn.Conv2d(8, 16, 4, stride=2, padding=1),  # 7 x 7
            nn.ReLU(),
            nn.Flatten(),
        )
        self.heads = nn.Linear(16 * 7 * 7, 2 * latent_dim)

    def forward(self, x):
        mu, logvar = self.heads(self.body(x)).chunk(2, dim=1)
        return mu, logvar


class Decoder(nn.Module):
    """p(x|z): codes [B, k] -> Bernoulli logits [B, 1, 28, 28]."""

    def __init__(self, latent_dim=LATENT_DIM):
        super().__init__()
        self.start = nn.Linear(latent_dim, 16 * 7 * 7)
        self.body = nn.Sequential(
            nn.ReLU(),
            nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1),  # 14 x 14
            nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1),  # 28 x 28
        )

    def forward(self, z):
        return self.body(self.start(z).view(-1, 16, 7, 7))


def sample_latent(mu, logvar, generator=None):
    """One draw z = mu + sigma * eps per row, eps from generator: [B, k]."""
    sigma = logvar.mul(0.5).exp()
    return mu + sigma * torch.empty_like(mu).normal_(generator=generator)


# Given: how the grader calls your networks (keep this part as it is).
class VAE(nn.Module):
    def __init__(self, latent_dim=LATENT_DIM):
        super().__init__()
        self.encoder = Encoder(latent_dim)
        self.decoder = Decoder(latent_dim)


def vae_init(seed):
    """Weights of VAE() after torch.manual_seed(seed): name -> tensor."""
    torch.manual_seed(seed)
    return dict(VAE().state_dict())


def run_part(part, weights, inputs):
    """VAE().encoder or .decoder, in evaluation mode, with these weights."""
    net = getattr(VAE().eval(), part)
    mine = {
        name.removeprefix(part + "."): value
        for name, value in weights.items()
        if name.startswith(part + ".")
    }
    return torch.func.functional_call(net, mine, (inputs,))


def vae_encode(weights, x):
    """(mu, logvar), each [B, k], of images x [B, 1, 28, 28]."""
    return run_part("encoder", weights, x)


def vae_decode(weights, z):
    """Bernoulli logits [B, 1, 28, 28] of codes z [B, k]."""
    return run_part("decoder", weights, z)
