"""Categorical latents of ``vae_course.discrete`` (chapter 7)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import vae_course as vc


def _model(seed=0, n_classes=4, hidden=16):
    torch.manual_seed(seed)
    return vc.CategoricalVAE(n_classes, hidden)


def _images(n=6, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g)


def test_categorical_kl_matches_torch_distributions():
    logits = torch.randn(5, 7, generator=torch.Generator().manual_seed(0))
    q = torch.distributions.Categorical(logits=logits)
    p = torch.distributions.Categorical(logits=torch.zeros(7))
    expected = torch.distributions.kl_divergence(q, p)
    torch.testing.assert_close(vc.categorical_kl(logits), expected)
    assert vc.categorical_kl(torch.zeros(2, 7)).abs().max() < 1e-6
    one_hot = torch.tensor([[50.0, 0, 0, 0]])
    assert abs(vc.categorical_kl(one_hot).item() - math.log(4)) < 1e-5


def test_categorical_kl_gradcheck():
    logits = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(vc.categorical_kl, (logits,))


def test_gumbel_max_argmax_is_a_categorical_draw():
    logits = torch.tensor([[1.0, 0.0, -1.0, 2.0]]).expand(40000, -1)
    g = torch.Generator().manual_seed(0)
    for tau in (0.1, 1.0, 5.0):  # the argmax does not depend on tau
        y = vc.gumbel_softmax_sample(logits, tau, generator=g)
        freq = F.one_hot(y.argmax(1), 4).float().mean(0)
        p = torch.softmax(logits[0], 0)
        stderr = (p * (1 - p) / 40000).sqrt()
        assert ((freq - p).abs() < 5 * stderr).all(), (tau, freq, p)


def test_categorical_sample_frequencies_and_one_hot():
    logits = torch.tensor([[0.5, -0.5, 1.5]])
    z = vc.categorical_sample(logits, 30000, torch.Generator().manual_seed(3))
    assert z.shape == (30000, 1, 3)
    assert torch.equal(z.sum(-1), torch.ones(30000, 1))
    p = torch.softmax(logits[0], 0)
    stderr = (p * (1 - p) / 30000).sqrt()
    assert ((z[:, 0].mean(0) - p).abs() < 5 * stderr).all()


def test_relaxed_sample_on_simplex_and_sharpens_as_tau_falls():
    logits = torch.randn(500, 6, generator=torch.Generator().manual_seed(2))
    for tau in (0.05, 1.0, 10.0):
        y = vc.gumbel_softmax_sample(logits, tau, torch.Generator())
        torch.testing.assert_close(y.sum(1), torch.ones(500))
        assert (y >= 0).all()
    g = torch.Generator().manual_seed(4)
    cold = vc.gumbel_softmax_sample(logits, 0.05, g).max(1).values.mean()
    g = torch.Generator().manual_seed(4)
    warm = vc.gumbel_softmax_sample(logits, 10.0, g).max(1).values.mean()
    assert cold > 0.95 and warm < 0.5


def test_straight_through_is_one_hot_forward_soft_backward():
    logits = torch.randn(8, 5, requires_grad=True)
    w = torch.randn(5)
    hard = vc.gumbel_softmax_sample(
        logits, 0.7, torch.Generator().manual_seed(9), hard=True
    )
    one_hot = F.one_hot(hard.detach().argmax(1), 5).float()
    torch.testing.assert_close(hard.detach(), one_hot)  # up to round-off
    (hard @ w).sum().backward()
    g_hard = logits.grad.clone()
    logits.grad = None
    soft = vc.gumbel_softmax_sample(
        logits, 0.7, torch.Generator().manual_seed(9)
    )
    (soft @ w).sum().backward()
    torch.testing.assert_close(g_hard, logits.grad)


def test_class_log_likelihoods_match_bce_per_class():
    model, x = _model(), _images()
    f = vc.class_log_likelihoods(model, x)
    assert f.shape == (6, 4)
    for c in range(4):
        logits = model.decoder(F.one_hot(torch.tensor(c), 4).float())
        expected = -F.binary_cross_entropy_with_logits(
            logits.expand(6, -1), x.flatten(1), reduction="none"
        ).sum(1)
        torch.testing.assert_close(f[:, c], expected, rtol=1e-5, atol=1e-3)


def test_exact_elbo_is_the_enumerated_sum():
    model, x = _model(), _images()
    parts = vc.categorical_elbo(model, x)
    q = torch.softmax(model.encoder(x), 1)
    f = vc.class_log_likelihoods(model, x)
    kl = (q * (q.log() + math.log(4))).sum(1)
    torch.testing.assert_close(parts["kl"], kl, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(parts["elbo"], (q * f).sum(1) - kl)


def test_score_function_gradient_is_unbiased_and_relaxed_is_biased():
    model, x = _model(hidden=32), _images(4)
    exact = vc.logit_gradients(model, x, "enumeration", 1)[0]
    exact_again = torch.autograd.grad(
        vc.categorical_elbo(model, x)["reconstruction"].sum(),
        [p for p in model.encoder.parameters()][-1],  # output bias
    )[0]
    torch.testing.assert_close(exact.sum(0), exact_again, rtol=1e-4, atol=1e-3)
    g = torch.Generator().manual_seed(0)
    for method, unbiased in (
        ("score_function", True),
        ("gumbel_softmax", False),
        ("straight_through", False),
    ):
        est = vc.logit_gradients(model, x, method, 1500, g, tau=1.0)
        err = (est.mean(0) - exact).abs()
        se = est.std(0) / math.sqrt(1500)
        if unbiased:
            assert (err < 5 * se + 1e-4).all(), (method, err, se)
        else:
            assert (err > 10 * se).any(), (method, err, se)


def test_relaxed_bias_shrinks_and_variance_grows_as_tau_falls():
    model, x = _model(hidden=32), _images(4)
    exact = vc.logit_gradients(model, x, "enumeration", 1)[0]
    g = torch.Generator().manual_seed(1)
    bias, var = [], []
    for tau in (2.0, 0.5, 0.1):
        est = vc.logit_gradients(model, x, "gumbel_softmax", 1000, g, tau=tau)
        bias.append((est.mean(0) - exact).norm().item())
        var.append(est.var(0).sum().item())
    assert bias[0] > bias[1] > bias[2]
    assert var[0] < var[1] < var[2]


@pytest.mark.parametrize(
    "method", ["enumeration", "score_function", "gumbel_softmax"]
)
def test_objective_reports_the_exact_elbo(method):
    model, x = _model(), _images()
    objective = vc.CategoricalObjective(method, n_samples=2, tau=0.5)
    loss, parts = objective(model, x, torch.Generator().manual_seed(0))
    exact = vc.categorical_elbo(model, x)
    for name in ("elbo", "reconstruction", "kl"):
        assert parts[name].shape == (6,)
        torch.testing.assert_close(parts[name], exact[name].detach())
    loss.backward()
    assert all(p.grad is not None for p in model.encoder.parameters())
    if method == "enumeration":
        torch.testing.assert_close(loss, -exact["elbo"].mean())


def test_start_at_mean_sets_every_prototype_to_the_mean_image():
    model = vc.CategoricalVAE(3, 8)
    with torch.no_grad():
        model.decoder[-1].weight.zero_()
    images = _images(20)
    model.start_at_mean(images)
    proto = model.prototypes()
    mean = images.mean(0).clamp(1e-3, 1 - 1e-3)
    torch.testing.assert_close(proto, mean.expand(3, -1, -1, -1))


def test_matched_accuracy_is_invariant_to_renaming():
    labels = torch.arange(10).repeat(30)
    renamed = (labels * 3 + 1) % 10
    assert vc.matched_accuracy(renamed, labels) == 1.0
    half = labels.clone()
    half[:150] = 0
    assert abs(vc.matched_accuracy(half, labels) - (150 + 15) / 300) < 1e-9
    # one class for everything matches one label only (one-to-one)
    assert vc.matched_accuracy(torch.zeros(300), labels) == 0.1
    g = torch.Generator().manual_seed(0)
    random = torch.randint(10, (3000,), generator=g)
    assert vc.matched_accuracy(random, labels.repeat(10)) < 0.15


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match=r"\[batch, K\]"):
        vc.categorical_kl(torch.zeros(5))
    with pytest.raises(ValueError, match="temperature"):
        vc.gumbel_softmax_sample(torch.zeros(2, 3), 0.0)
    with pytest.raises(ValueError, match="method must be one of"):
        vc.CategoricalObjective("reinforce")
    with pytest.raises(ValueError, match="n_samples >= 2"):
        vc.CategoricalObjective("score_function", n_samples=1)
    with pytest.raises(ValueError, match="same length"):
        vc.matched_accuracy([0, 1], [0])
