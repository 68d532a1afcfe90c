# float(loss) on a tensor that requires grad: a warning (the case)
def training_step(model, optimizer, x, beta=1.0, generator=None):
    optimizer.zero_grad()
    loss = -vc.elbo(model, x, beta=beta, generator=generator).elbo.mean()
    loss.backward()
    optimizer.step()
    return float(loss)
