# wrong: beta ignored
def training_step(model, optimizer, x, beta=1.0, generator=None):
    optimizer.zero_grad()
    loss = -vc.elbo(model, x, generator=generator).elbo.mean()
    loss.backward()
    optimizer.step()
    return loss.item()
