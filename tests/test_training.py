"""vc.train and vc.evaluate (chapter 4) on the offline sample: learning, determinism, the history."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from conftest import PriorVAE, gen

import vae_course as vc

HISTORY_FIELDS = (
    "epoch",
    "train_elbo",
    "train_reconstruction",
    "train_kl",
    "test_elbo",
    "test_reconstruction",
    "test_kl",
    "seconds",
)


@pytest.fixture(scope="module")
def small(mnist):
    """1,000 training and 500 test images: enough to see learning, quick on 2 cores."""
    return (mnist.train_images[:1000], mnist.test_images[:500])


def test_training_lowers_the_test_loss(mnist):
    """The pytorch/examples model on the 4,000 offline digits: 3 epochs take the test loss from
    the untrained ~543 nats (784 log 2) to well under 250 nats per image."""
    torch.manual_seed(0)
    model = vc.MLPVAE()
    before = vc.evaluate(model, mnist.test_images, generator=gen(1))
    assert (
        abs(before["reconstruction"] + 784 * math.log(2)) < 30
    )  # an untrained decoder outputs logits near 0
    history = vc.train(model, mnist, epochs=3, seed=0, progress=False)
    after = vc.evaluate(model, mnist.test_images, generator=gen(1))
    assert -after["elbo"] < -before["elbo"] - 250
    assert -after["elbo"] < 250
    # the history's last test ELBO is the same quantity
    assert abs(history.test_elbo[-1] - after["elbo"]) < 2.0
    # and the test ELBO improves from epoch to epoch
    assert history.test_elbo[0] < history.test_elbo[-1]
    assert all(
        math.isfinite(v) for v in history.train_elbo + history.test_elbo
    )


def test_history_fields(small):
    model = vc.MLPVAE(latent_dim=4, hidden_dim=64)
    history = vc.train(model, small, epochs=2, seed=0, progress=False)
    assert isinstance(history, vc.History)
    record = history.as_dict()
    for name in HISTORY_FIELDS:
        assert len(getattr(history, name)) == 2, name
        assert name in record and name in history.final
    assert history.epoch == [1, 2]
    assert history.final["test_elbo"] == history.test_elbo[-1]
    assert all(s > 0 for s in history.seconds)
    for split in ("train", "test"):
        elbo, recon, kl = (
            getattr(history, f"{split}_{part}")
            for part in ("elbo", "reconstruction", "kl")
        )
        for e, r, k in zip(elbo, recon, kl):
            assert math.isclose(e, r - k, rel_tol=1e-5, abs_tol=1e-3), (
                split,
                e,
                r,
                k,
            )
            assert k >= 0 and r < 0


def test_training_is_deterministic_on_cpu(small):
    def run():
        torch.manual_seed(
            123
        )  # the same initial weights; train's seed fixes the data order and the noise
        model = vc.MLPVAE(latent_dim=4, hidden_dim=64)
        history = vc.train(model, small, epochs=2, seed=7, progress=False)
        return history, model.state_dict()

    h1, w1 = run()
    h2, w2 = run()
    for name in HISTORY_FIELDS:
        if name != "seconds":
            assert getattr(h1, name) == getattr(h2, name), name
    for key in w1:
        assert torch.equal(w1[key], w2[key]), key


def test_different_seeds_give_different_runs(small):
    results = []
    for seed in (0, 1):
        torch.manual_seed(123)
        model = vc.MLPVAE(latent_dim=4, hidden_dim=64)
        results.append(
            vc.train(
                model, small, epochs=1, seed=seed, progress=False
            ).train_elbo
        )
    assert results[0] != results[1]


def test_mnist_object_and_tuple_give_the_same_run(mnist):
    data = dataclasses.replace(
        mnist,
        train_images=mnist.train_images[:1000],
        train_labels=mnist.train_labels[:1000],
    )
    histories = []
    for d in (data, (data.train_images, data.test_images)):
        torch.manual_seed(5)
        model = vc.MLPVAE(latent_dim=3, hidden_dim=32)
        histories.append(
            vc.train(model, d, epochs=1, seed=0, progress=False).test_elbo
        )
    assert histories[0] == histories[1]


def test_options_run_and_stay_finite(small, mnist):
    """beta, KL warm-up, free bits, several samples, a given optimizer, binarized data."""
    model = vc.MLPVAE(latent_dim=4, hidden_dim=32)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    history = vc.train(
        model,
        small,
        epochs=2,
        beta=4.0,
        kl_warmup_epochs=1,
        free_bits=0.1,
        n_samples=2,
        optimizer=opt,
        seed=0,
        progress=False,
        batch_size=256,
    )
    assert all(
        math.isfinite(v) for v in history.train_elbo + history.test_elbo
    )
    data = dataclasses.replace(
        mnist,
        train_images=mnist.train_images[:300],
        train_labels=mnist.train_labels[:300],
        binarize=True,
    )
    h = vc.train(
        vc.MLPVAE(latent_dim=2, hidden_dim=32),
        data,
        epochs=1,
        seed=0,
        progress=False,
    )
    assert math.isfinite(h.train_elbo[0])


def test_large_beta_collapses_the_posterior(small):
    """beta = 50 drives the KL towards 0 (the lecture's posterior-collapse demonstration)."""
    torch.manual_seed(0)
    model = vc.MLPVAE(latent_dim=4, hidden_dim=64)
    history = vc.train(
        model, small, epochs=3, beta=50.0, seed=0, progress=False
    )
    torch.manual_seed(0)
    plain = vc.MLPVAE(latent_dim=4, hidden_dim=64)
    plain_history = vc.train(
        plain, small, epochs=3, beta=1.0, seed=0, progress=False
    )
    assert history.test_kl[-1] < 0.5 < plain_history.test_kl[-1]


def test_progress_bar_in_a_terminal(small, capsys):
    vc.train(
        vc.MLPVAE(latent_dim=2, hidden_dim=16),
        small,
        epochs=1,
        seed=0,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "1/1" in err  # tqdm's text bar, on stderr
    vc.train(
        vc.MLPVAE(latent_dim=2, hidden_dim=16),
        small,
        epochs=1,
        seed=0,
        progress=False,
    )
    assert capsys.readouterr().err == ""


def test_train_moves_data_to_the_models_device_and_leaves_eval_mode(small):
    model = vc.MLPVAE(latent_dim=2, hidden_dim=16)
    vc.train(model, small, epochs=1, seed=0, progress=False)
    assert not model.training


# ------------------------------------------------------------------------ evaluate
def test_evaluate_is_in_nats_per_image(mnist):
    scores = vc.evaluate(PriorVAE(), mnist.test_images[:300], batch_size=128)
    assert set(scores) >= {"elbo", "reconstruction", "kl"}
    assert math.isclose(
        scores["reconstruction"], -784 * math.log(2), rel_tol=1e-6
    )
    assert math.isclose(scores["elbo"], -784 * math.log(2), rel_tol=1e-6)
    assert scores["kl"] == 0


def test_evaluate_batch_size_does_not_change_the_answer(trained_mlp, mnist):
    x = mnist.test_images[:300]
    a = vc.evaluate(trained_mlp, x, batch_size=300, generator=gen(3))["kl"]
    b = vc.evaluate(trained_mlp, x, batch_size=64, generator=gen(3))["kl"]
    assert math.isclose(
        a, b, rel_tol=1e-5
    )  # the KL term is exact, so batching cannot change it


def test_evaluate_restores_training_mode(trained_mlp, mnist):
    trained_mlp.train()
    vc.evaluate(trained_mlp, mnist.test_images[:10])
    assert trained_mlp.training
    trained_mlp.eval()
