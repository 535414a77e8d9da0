"""convlib.train: the seeded loop, evaluation, prediction and the
confusion matrix, on tiny models and data made here."""
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from convlib import train
from convlib.data import Dataset


def _blobs(n, seed):
    """Three Gaussian blobs in 4-D, shaped (N, 1, 4) like a 1-D signal."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]])
    x = centres[y] + rng.normal(0, 0.5, (n, 4))
    return x.astype(np.float32)[:, None, :], y.astype(np.int64)


@pytest.fixture
def ds():
    x, y = _blobs(240, seed=0)
    return Dataset(x[:180], y[:180], x[180:], y[180:], ("a", "b", "c"))


def _model(seed=0, dropout=0.0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.ReLU(),
                         nn.Dropout(dropout), nn.Linear(8, 3))


def _curves(history):
    return [history.train_loss, history.train_acc, history.test_loss,
            history.test_acc]


def test_fit_learns_and_records_every_epoch(ds):
    history = train.fit(_model(), ds, epochs=4, batch_size=32, lr=0.05,
                        progress=False)
    assert len(history) == 4
    assert all(len(c) == 4 for c in _curves(history) + [history.seconds])
    assert history.train_loss[-1] < history.train_loss[0]
    final = history.final()
    assert final["epoch"] == 4 and final["test_acc"] == history.test_acc[-1]
    model_loss, model_acc = final["test_loss"], final["test_acc"]
    assert 0 <= model_loss and model_acc > 0.9


def test_fit_is_deterministic_for_a_seed(ds):
    runs = [train.fit(_model(dropout=0.3), ds, epochs=2, seed=seed,
                      progress=False, optimizer="sgd", lr=0.05)
            for seed in (1, 1, 2)]
    assert _curves(runs[0]) == _curves(runs[1])
    assert _curves(runs[0]) != _curves(runs[2])


def test_fit_leaves_global_python_numpy_state_and_threads(ds):
    random.seed(1)
    np.random.seed(2)
    before = (random.random(), np.random.random())
    random.seed(1)
    np.random.seed(2)
    threads = torch.get_num_threads()
    train.fit(_model(), ds, epochs=1, progress=False)
    assert (random.random(), np.random.random()) == before
    assert torch.get_num_threads() == threads


def test_train_metrics_are_the_epoch_average(ds):
    """One full batch, plain SGD: train loss is the loss before the step."""
    model = _model()
    loss, acc = train.evaluate(model, ds.x_train, ds.y_train)
    history = train.fit(model, ds, epochs=1, batch_size=len(ds.x_train),
                        optimizer="sgd", momentum=0.0, progress=False)
    assert history.train_loss[0] == pytest.approx(loss, rel=1e-6)
    assert history.train_acc[0] == pytest.approx(acc)


@pytest.mark.parametrize("name", train.OPTIMIZERS)
def test_every_optimizer_runs(ds, name):
    history = train.fit(_model(), ds, epochs=1, optimizer=name,
                        weight_decay=1e-4, progress=False)
    assert np.isfinite(history.train_loss[0])


def test_fit_restores_each_modules_mode(ds):
    model = _model(dropout=0.5)
    model.eval()
    model[3].train()
    train.fit(model, ds, epochs=1, progress=False)
    assert not model.training and model[3].training
    assert not model[1].training


def test_progress_bar_in_a_terminal(ds, capsys):
    train.fit(_model(), ds, epochs=2, progress=True)
    shown = capsys.readouterr().err
    assert "fit" in shown and "2/2" in shown and "test_acc=" in shown
    train.fit(_model(), ds, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_history_table():
    history = train.History([1.0, 0.5], [0.25, 0.75], [1.2, 0.6],
                            [0.2, 0.7], [0.01, 0.02])
    lines = history.table(digits=2, seconds=True).splitlines()
    assert lines[0].split() == ["epoch", *train.History.COLUMNS]
    assert lines[2].split() == ["2", "0.50", "0.75", "0.60", "0.70", "0.02"]
    assert "seconds" not in history.table()
    assert history.table().splitlines()[1].split()[1] == "1.000"
    with pytest.raises(ValueError, match="no epoch"):
        train.History().final()


# ---------------------------------------------------------------- evaluate

def test_evaluate_matches_a_direct_computation(ds):
    model = _model(dropout=0.5)
    loss, acc = train.evaluate(model, ds.x_test, ds.y_test, batch_size=7)
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(ds.x_test))
    y = torch.from_numpy(ds.y_test)
    assert loss == pytest.approx(float(F.cross_entropy(logits, y)),
                                 rel=1e-6)
    assert acc == pytest.approx(float((logits.argmax(1) == y)
                                      .float().mean()))


def test_evaluate_and_predict_use_eval_mode_without_gradients(ds):
    model = _model(dropout=0.9)
    assert model.training
    x = torch.from_numpy(ds.x_test)
    first = train.predict(model, x)
    assert np.array_equal(first, train.predict(model, ds.x_test))
    assert model.training and model[3].training
    train.evaluate(model, x, ds.y_test)
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    assert np.array_equal(first, model(x).argmax(1).numpy())
    assert first.dtype == np.int64 and first.shape == (len(x),)


def test_evaluate_with_another_loss(ds):
    model = _model()
    loss, _ = train.evaluate(model, ds.x_test, ds.y_test,
                             loss_fn=lambda logits, y: logits.sum() * 0)
    assert loss == 0


# ---------------------------------------------------------------- confusion

def test_confusion_matrix_against_a_hand_count():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    counts = np.zeros((4, 4), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        counts[t, p] += 1
    cm = train.confusion_matrix(y_true, y_pred, 4)
    assert np.array_equal(cm, counts) and cm.dtype == np.int64


def test_confusion_matrix_rows_are_true_classes():
    cm = train.confusion_matrix([0, 0, 2], [1, 1, 2], 3)
    assert cm[0, 1] == 2 and cm[1, 0] == 0 and cm[2, 2] == 1
    assert cm.sum() == 3
    empty = train.confusion_matrix(np.array([], int), np.array([], int), 2)
    assert np.array_equal(empty, np.zeros((2, 2)))


@pytest.mark.parametrize("args, argument", [
    (([0, 1], [0], 2), "y_true and y_pred"),
    (([0, 2], [0, 1], 2), "y_true"),
    (([0, 1], [0, -1], 2), "y_pred"),
    (([0.0, 1.0], [0, 1], 2), "y_true"),
    (([0, 1], [0, 1], 0), "n_classes"),
])
def test_confusion_matrix_bad_input(args, argument):
    with pytest.raises(ValueError, match=f"^confusion_matrix: {argument}"):
        train.confusion_matrix(*args)


# ---------------------------------------------------------------- bad input

def test_fit_bad_input(ds):
    short = ds._replace(y_train=ds.y_train[:-1])
    cases = [((short,), {}, ValueError, "ds.x_train and ds.y_train"),
             ((ds,), dict(optimizer="rmsprop"), ValueError, "optimizer"),
             ((ds,), dict(epochs=0), ValueError, "epochs"),
             ((ds,), dict(epochs=1.5), TypeError, "epochs"),
             ((ds,), dict(batch_size=0), ValueError, "batch_size"),
             ((ds,), dict(lr=0), ValueError, "lr"),
             ((ds,), dict(seed=-3), ValueError, "seed"),
             (((ds.x_train, ds.y_train),), {}, TypeError, "ds")]
    for args, kwargs, error, argument in cases:
        with pytest.raises(error, match=f"^fit: {argument}"):
            train.fit(_model(), *args, progress=False, **kwargs)


def test_evaluate_and_predict_bad_input(ds):
    with pytest.raises(ValueError, match="^evaluate: x and y"):
        train.evaluate(_model(), ds.x_test, ds.y_test[:3])
    with pytest.raises(TypeError, match="^predict: x must be"):
        train.predict(_model(), [[0.0] * 4])
    with pytest.raises(ValueError, match="^predict: batch_size"):
        train.predict(_model(), ds.x_test, batch_size=0)


def test_set_seed_seeds_python_numpy_and_torch():
    train.set_seed(5)
    first = (random.random(), np.random.random(), torch.rand(1).item())
    train.set_seed(5)
    assert (random.random(), np.random.random(),
            torch.rand(1).item()) == first
    with pytest.raises(TypeError, match="^set_seed: seed"):
        train.set_seed("5")
