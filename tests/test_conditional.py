"""The conditional VAE and M2 of ``vae_course.conditional`` (chapter 7)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import vae_course as vc


def _model(seed=0):
    torch.manual_seed(seed)
    model = vc.ConditionalVAE(latent_dim=3, n_classes=4, hidden=16)
    with torch.no_grad():  # logvar = -40: z is mu, the ELBO deterministic
        model.encoder_out.weight[3:].zero_()
        model.encoder_out.bias[3:].fill_(-40.0)
    return model


def _images(n=5, seed=1):
    return torch.rand(
        n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)
    )


def test_attach_and_split_labels_round_trip():
    x = _images()
    labels = torch.tensor([0, 3, 1, 2, 3])
    packed = vc.attach_labels(
        x, labels, 4, labelled=torch.tensor([1, 1, 0, 1, 0])
    )
    assert packed.shape == (5, 788)
    xs, y, is_labelled = vc.split_labels(packed)
    torch.testing.assert_close(xs, x.flatten(1))
    assert is_labelled.tolist() == [True, True, False, True, False]
    assert y[is_labelled].argmax(1).tolist() == [0, 3, 2]
    assert y[~is_labelled].abs().sum() == 0
    assert not vc.split_labels(vc.attach_labels(x, n_classes=4))[2].any()


def test_elbo_of_each_label_matches_the_batched_enumeration():
    model, x = _model(), _images()
    every = vc.all_labels_elbo(model, x)
    assert every.shape == (5, 4)
    for c in range(4):
        y = F.one_hot(torch.full((5,), c), 4).float()
        parts = vc.conditional_elbo(model, x, y)
        mu, logvar = model.encode(x, y)
        torch.testing.assert_close(parts["kl"], vc.gaussian_kl(mu, logvar))
        torch.testing.assert_close(every[:, c], parts["elbo"])


def test_unlabelled_bound_is_tight_when_q_y_is_the_posterior():
    model, x = _model(), _images()
    joint = vc.all_labels_elbo(model, x) - math.log(4)  # L(x, y) [5, 4]
    bound = vc.unlabelled_bound(model, x)
    log_evidence = torch.logsumexp(joint, dim=1)  # log sum_y exp L(x, y)
    assert (bound <= log_evidence + 1e-3).all()
    assert (bound < log_evidence - 1e-2).any()  # a random classifier

    class Posterior(torch.nn.Module):  # q(y|x) = softmax_y L(x, y)
        def forward(self, images):
            return vc.all_labels_elbo(model, images.view(-1, 1, 28, 28))

    model.classifier = Posterior()
    torch.testing.assert_close(
        vc.unlabelled_bound(model, x), log_evidence, rtol=1e-5, atol=1e-3
    )


def test_m2_loss_is_the_sum_of_its_labelled_and_unlabelled_terms():
    model, x = _model(), _images()
    labels = torch.tensor([2, 0, 1, 3, 1])
    mask = torch.tensor([1, 0, 1, 0, 0])
    batch = vc.attach_labels(x, labels, 4, labelled=mask)
    loss, parts = vc.M2Objective(alpha=7.0)(model, batch)
    joint = vc.all_labels_elbo(model, x) - math.log(4)
    log_q = F.log_softmax(model.classifier(x), 1)
    unlabelled = vc.unlabelled_bound(model, x)
    rows = []
    for i in range(5):
        if mask[i]:
            rows.append(joint[i, labels[i]] + 7.0 * log_q[i, labels[i]])
        else:
            rows.append(unlabelled[i])
    torch.testing.assert_close(loss, -torch.stack(rows).mean())
    assert parts["elbo"].shape == (5,)
    torch.testing.assert_close(parts["elbo"][1], unlabelled[1].detach())
    torch.testing.assert_close(parts["elbo"][0], joint[0, 2].detach())


def test_conditional_objective_trains_decoder_through_the_label():
    model, x = _model(), _images()
    batch = vc.attach_labels(x, torch.tensor([0, 1, 2, 3, 0]), 4)
    loss, parts = vc.ConditionalObjective()(model, batch)
    torch.testing.assert_close(loss, -parts["elbo"].mean())
    loss.backward()
    assert model.decoder_y.weight.grad.abs().sum() > 0
    assert model.encoder_y.weight.grad.abs().sum() > 0


def test_classify_is_the_classifier_argmax():
    model, x = _model(), _images()
    expected = model.classifier(x.flatten(1)).argmax(1)
    assert torch.equal(vc.classify(model, x), expected)


def test_bad_input_is_refused_with_a_reason():
    model, x = _model(), _images()
    with pytest.raises(ValueError, match="needs a label for every image"):
        vc.ConditionalObjective()(model, vc.attach_labels(x, n_classes=4))
    with pytest.raises(ValueError, match="attach_labels"):
        vc.M2Objective()(model, x.flatten(1))
    with pytest.raises(ValueError, match="784 pixels"):
        vc.attach_labels(torch.zeros(2, 10))
    with pytest.raises(ValueError, match="alpha"):
        vc.M2Objective(alpha=-1.0)
