# wrong: returns the loss after the update
def training_step(model, optimizer, x, beta=1.0, generator=None):
    optimizer.zero_grad()
    loss = -vc.elbo(model, x, beta=beta, generator=generator).elbo.mean()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        after = -vc.elbo(model, x, beta=beta).elbo.mean()
    return after.item()
