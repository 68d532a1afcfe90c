# wrong: the step taken before backward (it uses the previous gradients)
def training_step(model, optimizer, x, beta=1.0, generator=None):
    optimizer.zero_grad()
    loss = -vc.elbo(model, x, beta=beta, generator=generator).elbo.mean()
    optimizer.step()
    loss.backward()
    return loss.item()
