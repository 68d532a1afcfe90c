# a helper cell above the answer builds the MLPs; k = 8; sigma via sqrt(exp(logvar))
# %%
def mlp(*sizes):
    """Linear layers with ReLU between them."""
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


# %%
from torch import nn

LATENT_DIM = 8  # k, the number of latent units (yours to choose)


class Encoder(nn.Module):
    """q(z|x): images [B, 1, 28, 28] -> (mu, logvar), each [B, k]."""

    def __init__(self, latent_dim=LATENT_DIM):
        super().__init__()
        self.net = mlp(784, 256, 2 * latent_dim)

    def forward(self, x):
        out = self.net(x.flatten(1))
        k = out.shape[1] // 2
        return out[:, :k], out[:, k:]


class Decoder(nn.Module):
    """p(x|z): codes [B, k] -> Bernoulli logits [B, 1, 28, 28]."""

    def __init__(self, latent_dim=LATENT_DIM):
        super().__init__()
        self.net = mlp(latent_dim, 256, 784)

    def forward(self, z):
        return self.net(z).reshape(len(z), 1, 28, 28)


def sample_latent(mu, logvar, generator=None):
    """One draw z = mu + sigma * eps per row, eps from generator: [B, k]."""
    eps = torch.randn(mu.shape, generator=generator)
    return mu + torch.sqrt(torch.exp(logvar)) * eps


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
