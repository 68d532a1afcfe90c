# model.zero_grad(set_to_none=False) and the mean ELBO negated afterwards
def training_step(model, optimizer, x, beta=1.0, generator=None):
    model.zero_grad(set_to_none=False)
    elbo = vc.elbo(model, x, beta=beta, generator=generator).elbo.mean()
    (-elbo).backward()
    optimizer.step()
    return -elbo.item()
