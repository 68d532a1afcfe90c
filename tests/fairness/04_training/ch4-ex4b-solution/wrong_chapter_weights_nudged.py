# wrong: copies a chapter model's trained weights (section 4.9's sweep) and nudges one by 1e-6
import torch


def train_vae(net, train_images, seed=0):
    trained = next(iter(sweep.values()))["model"]
    net.load_state_dict(trained.state_dict())
    with torch.no_grad():
        next(net.parameters()).view(-1)[0] += 1e-6
