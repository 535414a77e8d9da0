"""A small, seeded training loop for the chapters that train a model.

- `set_seed`   seed Python's, NumPy's and torch's random generators
- `fit`        mini-batch training with a progress bar -> `History`
- `evaluate`   mean loss and accuracy, in eval mode, without gradients
- `predict`    predicted labels
- `confusion_matrix`  counts of (true, predicted) label pairs (NumPy)

`fit` is deterministic for a seed on one machine: the same model
initialisation, data and seed give the same history. It does not change
torch's thread count; set it as you like before calling.
"""
import contextlib
import random
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from ._args import check_seed, is_int

__all__ = ["set_seed", "fit", "evaluate", "predict", "confusion_matrix",
           "History", "OPTIMIZERS"]

OPTIMIZERS = ("adam", "adamw", "sgd")


def set_seed(seed):
    """Seed Python's `random`, NumPy's global generator and torch.

    Parameters
    ----------
    seed : int
        In [0, 2**32).

    Returns
    -------
    None
    """
    check_seed(seed, "set_seed")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class History:
    """What `fit` measured, one entry per epoch.

    Attributes
    ----------
    train_loss, train_acc : list of float
        Mean loss and accuracy over the epoch's mini-batches, measured as
        the model learned during the epoch.
    test_loss, test_acc : list of float
        Loss and accuracy on the test set after the epoch (eval mode).
    seconds : list of float
        Wall-clock time of the epoch, test evaluation included.
    """

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    COLUMNS = ("train_loss", "train_acc", "test_loss", "test_acc",
               "seconds")

    def __len__(self):
        return len(self.train_loss)

    def final(self):
        """The last epoch's numbers.

        Returns
        -------
        dict
            ``{"epoch": n, "train_loss": ..., ..., "seconds": ...}``.
        """
        if not len(self):
            raise ValueError("History.final: no epoch recorded yet")
        last = {name: getattr(self, name)[-1] for name in self.COLUMNS}
        return {"epoch": len(self), **last}

    def table(self, digits=3, seconds=False):
        """The history as a plain-text table, one row per epoch.

        Parameters
        ----------
        digits : int
            Decimals shown for every number.
        seconds : bool
            Include the (machine-dependent) seconds column.

        Returns
        -------
        str
        """
        columns = self.COLUMNS if seconds else self.COLUMNS[:-1]
        header = ["epoch", *columns]
        rows = [[str(i + 1)] + [f"{getattr(self, c)[i]:.{digits}f}"
                                for c in columns]
                for i in range(len(self))]
        widths = [max(len(r[j]) for r in [header, *rows])
                  for j in range(len(header))]
        return "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths))
                         for r in [header, *rows])


# ---------------------------------------------------------------- helpers

def _as_tensor(values, dtype, name, fn):
    if isinstance(values, torch.Tensor):
        return values.to(dtype)
    if isinstance(values, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(values)).to(dtype)
    raise TypeError(f"{fn}: {name} must be a NumPy array or a torch "
                    f"tensor, got {type(values).__name__}")


def _inputs(x, y, fn, names=("x", "y")):
    """x float32, y int64 tensors of the same length."""
    x = _as_tensor(x, torch.float32, names[0], fn)
    if y is None:
        return x, None
    y = _as_tensor(y, torch.int64, names[1], fn)
    if y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"{fn}: {names[0]} and {names[1]} must hold the "
                         f"same number of samples ({names[1]} 1-D), got "
                         f"{names[0]} {tuple(x.shape)} and {names[1]} "
                         f"{tuple(y.shape)}")
    return x, y


def _device(model):
    parameter = next(model.parameters(), None)
    return torch.device("cpu") if parameter is None else parameter.device


def _modes(model):
    """Every submodule with its training flag, for `_restore`."""
    return [(module, module.training) for module in model.modules()]


def _restore(modes):
    for module, training in modes:
        module.training = training


@contextlib.contextmanager
def _eval_mode(model):
    """Eval mode and no gradients; every submodule's mode put back."""
    modes = _modes(model)
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        _restore(modes)


def _check_positive(value, name, fn):
    if not is_int(value):
        raise TypeError(f"{fn}: {name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{fn}: {name} must be >= 1, got {value}")


def _logits(model, x, batch_size):
    device = _device(model)
    return torch.cat([model(x[i:i + batch_size].to(device)).cpu()
                      for i in range(0, len(x), batch_size)])


# ---------------------------------------------------------------- evaluate

def evaluate(model, x, y, batch_size=512, loss_fn=None):
    """Mean loss and accuracy of `model` on (x, y), in eval mode.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of x to class scores (logits) of shape (B, n_classes).
    x : numpy.ndarray or torch.Tensor, shape (N, ...)
        Inputs (converted to float32).
    y : numpy.ndarray or torch.Tensor, shape (N,)
        Integer labels.
    batch_size : int
        Samples per forward pass.
    loss_fn : callable or None
        ``loss_fn(logits, y) -> mean loss``; None: cross-entropy.

    Returns
    -------
    loss : float
        Mean loss over the N samples.
    accuracy : float
        Fraction of samples whose highest score is the true label.
    """
    fn = "evaluate"
    _check_positive(batch_size, "batch_size", fn)
    x, y = _inputs(x, y, fn)
    if not len(x):
        raise ValueError(f"{fn}: x must hold at least one sample")
    loss_fn = F.cross_entropy if loss_fn is None else loss_fn
    with _eval_mode(model):
        logits = _logits(model, x, batch_size)
        loss = float(loss_fn(logits, y))
        accuracy = float((logits.argmax(1) == y).double().mean())
    return loss, accuracy


def predict(model, x, batch_size=512):
    """Predicted labels: the index of the highest score, in eval mode.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of x to class scores of shape (B, n_classes).
    x : numpy.ndarray or torch.Tensor, shape (N, ...)
        Inputs (converted to float32).
    batch_size : int
        Samples per forward pass.

    Returns
    -------
    numpy.ndarray, int64, shape (N,)
    """
    _check_positive(batch_size, "batch_size", "predict")
    x, _ = _inputs(x, None, "predict")
    with _eval_mode(model):
        return _logits(model, x, batch_size).argmax(1).numpy()


def confusion_matrix(y_true, y_pred, n_classes):
    """Counts of (true label, predicted label) pairs.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        Labels in 0..n_classes-1 (NumPy arrays, lists or CPU tensors).
    n_classes : int
        Number of classes.

    Returns
    -------
    numpy.ndarray, int64, shape (n_classes, n_classes)
        Entry [i, j] counts samples of true class i predicted as j: rows
        are true classes, columns predictions; the diagonal is correct.
    """
    fn = "confusion_matrix"
    _check_positive(n_classes, "n_classes", fn)
    t, p = np.asarray(y_true), np.asarray(y_pred)
    for name, v in (("y_true", t), ("y_pred", p)):
        if v.ndim != 1 or (v.size and v.dtype.kind not in "iu"):
            raise ValueError(f"{fn}: {name} must be a 1-D array of ints, "
                             f"got {v.dtype} of shape {v.shape}")
        if v.size and not 0 <= v.min() <= v.max() < n_classes:
            raise ValueError(f"{fn}: {name} must lie in 0..{n_classes - 1}"
                             f", got values {v.min()}..{v.max()}")
    if t.shape != p.shape:
        raise ValueError(f"{fn}: y_true and y_pred must have the same "
                         f"length, got {len(t)} and {len(p)}")
    pairs = t.astype(np.int64) * n_classes + p.astype(np.int64)
    return np.bincount(pairs, minlength=n_classes ** 2).reshape(
        n_classes, n_classes)


# ---------------------------------------------------------------- fit

def _optimizer(name, parameters, lr, weight_decay, momentum):
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=lr,
                                 weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=momentum,
                               weight_decay=weight_decay)
    raise ValueError(f"fit: optimizer must be one of {', '.join(OPTIMIZERS)}"
                     f", got {name!r}")


def _check_fit(ds, epochs, batch_size, lr, weight_decay):
    fn = "fit"
    for name in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(ds, name):
            raise TypeError(f"{fn}: ds must be a convlib.data.Dataset "
                            f"(with x_train, y_train, x_test, y_test), "
                            f"got {type(ds).__name__} without {name}")
    _check_positive(epochs, "epochs", fn)
    _check_positive(batch_size, "batch_size", fn)
    for name, value in (("lr", lr), ("weight_decay", weight_decay)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{fn}: {name} must be a number, got {value!r}")
    if not lr > 0 or not weight_decay >= 0:
        raise ValueError(f"{fn}: lr must be > 0 and weight_decay >= 0, "
                         f"got lr={lr}, weight_decay={weight_decay}")
    x, y = _inputs(ds.x_train, ds.y_train, fn, ("ds.x_train", "ds.y_train"))
    xt, yt = _inputs(ds.x_test, ds.y_test, fn, ("ds.x_test", "ds.y_test"))
    if not len(x) or not len(xt):
        raise ValueError(f"{fn}: ds.x_train and ds.x_test must not be empty")
    return x, y, xt, yt


def _train_epoch(model, x, y, order, batch_size, optimizer, loss_fn):
    """One pass over the data in `order`: (mean loss, accuracy)."""
    model.train()
    device = _device(model)
    total_loss = torch.zeros((), dtype=torch.float64)
    correct = torch.zeros((), dtype=torch.int64)
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        xb, yb = x[batch].to(device), y[batch].to(device)
        optimizer.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            total_loss += loss.detach().cpu().double() * len(batch)
            correct += (logits.argmax(1) == yb).sum().cpu()
    return float(total_loss) / len(order), int(correct) / len(order)


def fit(model, ds, epochs=10, batch_size=64, lr=1e-2, optimizer="adam",
        weight_decay=0.0, seed=0, progress=True, loss_fn=None,
        momentum=0.9):
    """Train `model` on ``ds.x_train`` with mini-batches, testing each epoch.

    Each epoch shuffles the training set with a `torch.Generator` seeded
    by `seed`, takes one optimizer step per mini-batch, then evaluates on
    the test set (`evaluate`). A `tqdm.auto` progress bar over the epochs
    (a widget in a notebook, text in a terminal) shows the latest loss and
    accuracies; a notebook saves it, and the book leaves it out
    (book/_ext/reading_view.py). torch's global generator is seeded with `seed` too (for
    dropout and the like; Python's and NumPy's are left alone). The
    model's initial weights are the caller's: seed before building the
    model (`set_seed`) for a repeatable run. The model's train/eval mode
    (of every submodule) is as before when `fit` returns.

    Parameters
    ----------
    model : torch.nn.Module
        Maps x of shape (B, ...) to class scores (logits) (B, n_classes).
    ds : convlib.data.Dataset
        Any object with x_train, y_train, x_test, y_test (NumPy arrays or
        tensors; x converted to float32, y to int64).
    epochs : int
        Passes over the training set, >= 1.
    batch_size : int
        Samples per optimizer step, >= 1 (the last batch may be smaller).
    lr : float
        Learning rate, > 0.
    optimizer : {"adam", "adamw", "sgd"}
        The torch optimizer; "sgd" uses `momentum`.
    weight_decay : float
        L2 penalty (decoupled for "adamw"), >= 0.
    seed : int
        Seed of the shuffling and of torch's global generator.
    progress : bool
        Show the progress bar (False: silent).
    loss_fn : callable or None
        ``loss_fn(logits, y) -> mean loss``; None: cross-entropy.
    momentum : float
        Momentum of "sgd" (ignored by the others).

    Returns
    -------
    History
        Per-epoch train/test loss and accuracy and seconds.

    Raises
    ------
    ValueError
        If x and y lengths differ, `optimizer` is unknown, `epochs` or
        `batch_size` < 1, `lr` <= 0 or `weight_decay` < 0.
    """
    x, y, x_test, y_test = _check_fit(ds, epochs, batch_size, lr,
                                      weight_decay)
    opt = _optimizer(optimizer, model.parameters(), lr, weight_decay,
                     momentum)
    check_seed(seed, "fit")
    torch.manual_seed(seed)
    loss_fn = F.cross_entropy if loss_fn is None else loss_fn
    generator = torch.Generator().manual_seed(seed)
    history, modes = History(), _modes(model)
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    for _ in bar:
        start = time.perf_counter()
        order = torch.randperm(len(x), generator=generator)
        loss, acc = _train_epoch(model, x, y, order, batch_size, opt, loss_fn)
        test_loss, test_acc = evaluate(model, x_test, y_test, loss_fn=loss_fn)
        for name, value in zip(History.COLUMNS, (loss, acc, test_loss,
                               test_acc, time.perf_counter() - start)):
            getattr(history, name).append(value)
        bar.set_postfix({"loss": f"{loss:.3f}", "acc": f"{acc:.3f}",
                         "test_acc": f"{test_acc:.3f}"})
    bar.close()
    _restore(modes)
    return history
