"""vc.train and vc.evaluate (chapter 4) on the offline sample: learning,
determinism, the history."""

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
    """1,000 training and 500 test images: enough to see learning, quick on 2
    cores."""
    return (mnist.train_images[:1000], mnist.test_images[:500])


def test_training_lowers_the_test_loss(mnist):
    """The pytorch/examples model on the 4,000 offline digits: 3 epochs take
    the test loss from the untrained ~543 nats (784 log 2) to well under 250
    nats per image."""
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
        for e, r, k in zip(elbo, recon, kl, strict=True):
            assert math.isclose(e, r - k, rel_tol=1e-5, abs_tol=1e-3), (
                split,
                e,
                r,
                k,
            )
            assert k >= 0 and r < 0


def test_training_is_deterministic_on_cpu(small):
    def run():
        # the same initial weights; train's seed fixes the data order and
        # the noise
        torch.manual_seed(123)
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
    """beta, KL warm-up, free bits, several samples, a given optimizer,
    binarized data."""
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
    """beta = 50 drives the KL towards 0 (the lecture's posterior-collapse
    demonstration)."""
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


# ------------------------------------------------------------------- evaluate
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


# ------------------------------------------------ one objective: train_step
def test_train_runs_train_step_exactly(small):
    """One epoch of train on one batch = one train_step with the same noise:
    the weights agree to the last bit, so train computes no loss of its own."""
    x = small[0][:64]
    torch.manual_seed(0)
    by_train = vc.MLPVAE(4, 32)
    torch.manual_seed(0)
    by_step = vc.MLPVAE(4, 32)
    optimizer = torch.optim.Adam(by_step.parameters(), lr=1e-3)
    vc.train(
        by_train,
        x,
        epochs=1,
        batch_size=64,
        seed=5,
        progress=False,
        optimizer=torch.optim.Adam(by_train.parameters(), lr=1e-3),
    )
    generator = torch.Generator().manual_seed(5)
    order = torch.randperm(64, generator=generator)  # train's shuffle
    by_step.train()
    objective = vc.ELBOObjective()
    vc.train_step(by_step, x[order], optimizer, objective, generator)
    for (name, a), b in zip(
        by_train.state_dict().items(),
        by_step.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b), name


def test_train_step_loss_is_minus_the_mean_elbo_of_elbo_from_outputs():
    model = PriorVAE()
    x = torch.rand(8, 1, 28, 28, generator=gen(1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    objective = vc.ELBOObjective()
    loss, parts = vc.train_step(model, x, optimizer, objective, gen(2))
    mu, logvar = model.encoder(x)
    z = vc.reparameterize(mu, logvar, 1, gen(2))
    expected = vc.elbo_from_outputs(x, model.decoder(z), mu, logvar)
    torch.testing.assert_close(loss, -expected.elbo.mean())
    torch.testing.assert_close(parts["elbo"], expected.elbo)
    assert not loss.requires_grad


def test_train_step_beta_weights_the_kl_term():
    """loss = -(mean reconstruction - beta * mean KL) for a model with KL >
    0."""
    torch.manual_seed(0)
    model = vc.MLPVAE(3, 16)
    x = torch.rand(8, 784, generator=gen(3))
    frozen = torch.optim.SGD(model.parameters(), lr=0.0)
    for beta in (0.0, 1.0, 4.0):
        objective = vc.ELBOObjective(beta=beta)
        loss, parts = vc.train_step(model, x, frozen, objective, gen(4))
        recon, kl = parts["reconstruction"], parts["kl"]
        torch.testing.assert_close(loss, -(recon.mean() - beta * kl.mean()))
    assert parts["kl"].mean() > 0.01


# ----------------------------------------------- KL warm-up and free bits
def test_kl_warmup_ramps_beta_linearly_then_holds():
    assert [vc.kl_warmup(t, 4) for t in (1, 2, 3, 4, 5, 100)] == [
        0.25,
        0.5,
        0.75,
        1.0,
        1.0,
        1.0,
    ]
    assert vc.kl_warmup(2, 4, beta=4.0) == 2.0
    assert vc.kl_warmup(1, 0, beta=3.0) == 3.0  # no warm-up


def test_train_uses_the_warmed_up_beta_at_every_step(monkeypatch):
    """With 2 warm-up epochs of 3 steps, the objective steps with beta_t =
    beta t / 6."""
    seen = []
    real_step = vc.training.train_step

    def spy(model, x, optimizer, loss, *args):
        seen.append(loss.beta_now)
        return real_step(model, x, optimizer, loss, *args)

    monkeypatch.setattr(vc.training, "train_step", spy)
    vc.train(
        vc.MLPVAE(2, 8),
        torch.rand(12, 784, generator=gen(0)),
        epochs=3,
        batch_size=4,
        beta=2.0,
        kl_warmup_epochs=2,
        progress=False,
    )
    expected = [2.0 * t / 6 for t in range(1, 7)] + [2.0] * 3
    assert seen == pytest.approx(expected)


def test_free_bits_floor_each_dimensions_batch_mean_kl():
    """KL_j = mu_j^2 / 2 here: dims below the floor count as the floor."""
    mu = torch.tensor([[0.0, 1.0, 3.0], [0.0, 1.0, 3.0]])
    logvar = torch.zeros_like(mu)
    kl_per_dim = torch.tensor([0.0, 0.5, 4.5])
    assert vc.free_bits_kl(mu, logvar, 0.0) == pytest.approx(5.0)
    assert vc.free_bits_kl(mu, logvar, 1.0) == pytest.approx(
        kl_per_dim.clamp(min=1.0).sum().item()
    )  # 1 + 1 + 4.5


def test_free_bits_stop_the_gradient_of_dimensions_below_the_floor():
    mu = torch.tensor([[0.1, 3.0]], requires_grad=True)
    logvar = torch.zeros(1, 2, requires_grad=True)
    vc.free_bits_kl(mu, logvar, 1.0).backward()
    assert mu.grad[0, 0] == 0.0 and logvar.grad[0, 0] == 0.0  # floored
    assert mu.grad[0, 1] == pytest.approx(3.0)  # d(mu^2 / 2) / dmu


def test_train_step_with_free_bits_minimises_the_floored_kl():
    torch.manual_seed(0)
    model = vc.MLPVAE(3, 16)
    x = torch.rand(8, 784, generator=gen(3))
    frozen = torch.optim.SGD(model.parameters(), lr=0.0)
    objective = vc.ELBOObjective(free_bits=5.0)
    loss, parts = vc.train_step(model, x, frozen, objective, gen(4))
    mu, logvar = model.encoder(x)
    floored = vc.free_bits_kl(mu, logvar, 5.0)
    assert floored.item() == pytest.approx(15.0)  # all 3 dims under 5 nats
    recon = parts["reconstruction"]
    torch.testing.assert_close(loss, -(recon.mean() - floored))


# -------------------------------------------- flat images = image-shaped ones
def test_flat_images_train_and_evaluate_exactly_like_images(small):
    images = small[0][:256]
    flat = images.reshape(-1, 784)
    runs = []
    for data in (images, flat):
        torch.manual_seed(0)
        model = vc.MLPVAE(4, 32)
        history = vc.train(model, (data, data), 2, seed=1, progress=False)
        runs.append((model, history))
    assert runs[0][1].test_elbo == runs[1][1].test_elbo
    assert runs[0][1].train_loss == runs[1][1].train_loss
    model = runs[0][0]
    scores = [
        vc.evaluate(model, data, generator=gen(2)) for data in (images, flat)
    ]
    assert scores[0] == scores[1]
    bounds = [
        vc.iwae_bound(model, data[:8], 5, generator=gen(3))
        for data in (images, flat)
    ]
    torch.testing.assert_close(bounds[0], bounds[1])
    for like in ("bernoulli", "gaussian"):
        conv = vc.ConvVAE(2, likelihood=like)
        parts = [
            vc.elbo(conv, data[:4], generator=gen(4))
            for data in (images, flat)
        ]
        torch.testing.assert_close(parts[0].elbo, parts[1].elbo)


def test_history_has_one_name_per_part_and_names_what_it_records():
    history = vc.History()
    history.record(epoch=1, test_reconstruction=-90.0)
    assert history.test_reconstruction == [-90.0]
    with pytest.raises(AttributeError, match="test_reconstruction"):
        _ = history.test_recon  # the former name is gone; the error lists all
    assert "test_recon" not in history.as_dict()


# ------------------------------------------------ one loop, any objective
def test_train_refuses_data_holding_nan_before_training():
    x = torch.rand(8, 784, generator=gen(0))
    x[3, 5] = float("nan")
    with pytest.raises(ValueError) as excinfo:
        vc.train(vc.MLPVAE(2, 8), (x[4:].clone(), x), 1, progress=False)
    assert "test images" in str(excinfo.value)
    assert "NaN" in str(excinfo.value)


def test_train_refuses_elbo_keywords_beside_an_objective():
    with pytest.raises(ValueError, match="beta"):
        vc.train(
            vc.MLPVAE(2, 8),
            torch.rand(8, 784, generator=gen(0)),
            1,
            loss=vc.ELBOObjective(),
            beta=4.0,
            progress=False,
        )


def test_train_records_whatever_parts_the_objective_reports():
    """A custom objective: History holds its parts, on_step sees each step."""
    steps = []

    class HalfReconstruction:
        def on_step(self, step, steps_per_epoch):
            steps.append((step, steps_per_epoch))

        def __call__(self, model, x, generator=None):
            loss, parts = vc.ELBOObjective()(model, x, generator)
            return loss, {"half": parts["reconstruction"] / 2}

    x = torch.rand(12, 784, generator=gen(1))
    history = vc.train(
        vc.MLPVAE(2, 8),
        (x, x[:4]),
        2,
        loss=HalfReconstruction(),
        batch_size=4,
        progress=False,
    )
    assert steps == [(t, 3) for t in range(1, 7)]
    assert len(history.train_half) == len(history.test_half) == 2
    assert not hasattr(history, "train_elbo")


def test_the_score_function_objective_trains_through_the_same_loop(small):
    torch.manual_seed(0)
    model = vc.MLPVAE(4, 32)
    history = vc.train(
        model,
        small,
        2,
        loss=vc.ScoreFunctionObjective(2),
        progress=False,
    )
    assert set(history.as_dict()) >= {"train_elbo", "test_elbo", "test_kl"}
    assert history.test_elbo[-1] > history.test_elbo[0]
