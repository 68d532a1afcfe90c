# variances in float64, a tuple built from a list
def exp_grad_exact(mu, sigma):
    d_mu = math.exp(mu) * math.exp(sigma**2 / 2)
    return d_mu, d_mu * sigma


def exp_grad_score(mu, sigma, n_samples, generator):
    grads = vc.score_function_grad(
        torch.exp, mu, sigma, n_samples, generator=generator
    )
    grads = [g.double() for g in grads]
    out = [g.mean().item() for g in grads]
    out += [math.sqrt(g.var().item() / n_samples) for g in grads]
    return tuple(out)
