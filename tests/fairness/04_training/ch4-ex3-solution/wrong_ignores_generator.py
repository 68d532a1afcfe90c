# wrong: the generator not passed to vc.elbo
def training_step(model, optimizer, x, beta=1.0, generator=None):
    optimizer.zero_grad()
    loss = -vc.elbo(model, x, beta=beta).elbo.mean()
    loss.backward()
    optimizer.step()
    return loss.item()
