# wrong: the old gradients never cleared
def training_step(model, optimizer, x, beta=1.0, generator=None):
    loss = -vc.elbo(model, x, beta=beta, generator=generator).elbo.mean()
    loss.backward()
    optimizer.step()
    return loss.item()
