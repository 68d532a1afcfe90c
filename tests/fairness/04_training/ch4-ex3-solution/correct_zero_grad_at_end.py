# zero_grad at the end of the step (the case)
def training_step(model, optimizer, x, beta=1.0, generator=None):
    loss = -vc.elbo(model, x, beta=beta, generator=generator).elbo.mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()
