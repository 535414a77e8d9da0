"""Training runs, the results file they fill, and a script's command line.

`train_run` trains one variant for one seed, deterministically: the seed
fixes the initial weights (`convlib.train.set_seed` before building) and
the batch order; torch runs on a fixed number of threads. `run` does that
for every variant and seed and writes each finished run to the results
file at once, so an interrupted run resumes where it stopped. `main` is
the command line of the scripts in ``experiments/``.

The training loop is `convlib.train.fit`'s, plus a learning-rate
schedule: with ``schedule="constant"`` a run equals ``fit`` exactly
(tests/test_experiments.py checks it). It is written here, not added to
`convlib.train`, so that `fit` stays the small loop the chapters show.
"""
import dataclasses
import datetime
import json
import math
import os
import platform
import re
import subprocess
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from ..data import Dataset
from .results import Results, FORMAT
from .spec import SPLITS

__all__ = ["train_run", "run", "reproduce", "environment", "held_out",
           "write"]

_DATASETS = {}      # one data set per process and loader call


# ---------------------------------------------------------------- one run

def held_out(ds, split, fraction):
    """The data a run trains and evaluates on.

    Parameters
    ----------
    ds : convlib.data.Dataset
    split : {"test", "validation"}
        "test": `ds` itself. "validation": the last `fraction` of the
        training set becomes the held-out set (``x_test``), the rest is
        trained on, and the test set is not used at all.
    fraction : float
        In (0, 1).

    Returns
    -------
    convlib.data.Dataset
    """
    if split not in SPLITS:
        raise ValueError(f"held_out: split must be one of "
                         f"{', '.join(SPLITS)}, got {split!r}")
    if split == "test":
        return ds
    cut = len(ds.x_train) - int(round(len(ds.x_train) * fraction))
    if not 0 < cut < len(ds.x_train):
        raise ValueError(f"held_out: fraction {fraction} leaves no "
                         f"training or no validation sample")
    return Dataset(ds.x_train[:cut], ds.y_train[:cut], ds.x_train[cut:],
                   ds.y_train[cut:], ds.classes)


def _dataset(experiment):
    key = json.dumps(experiment.config()["data"], sort_keys=True)
    if key not in _DATASETS:
        _DATASETS[key] = experiment.data()
    return _DATASETS[key]


def _schedule(settings, total_steps):
    """lr of step s, or None for a constant lr (left untouched)."""
    if settings.schedule == "constant":
        return None
    return lambda s: settings.lr * (1 + math.cos(math.pi * s
                                                 / total_steps)) / 2


def _optimizer(settings, parameters):
    import torch
    if settings.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=settings.lr,
                               momentum=settings.momentum,
                               weight_decay=settings.weight_decay)
    kind = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    return kind[settings.optimizer](parameters, lr=settings.lr,
                                    weight_decay=settings.weight_decay)


def _epoch(model, x, y, order, settings, optimizer, lr_at, first_step):
    """One pass in `order`, as convlib.train.fit: (mean loss, accuracy)."""
    import torch
    import torch.nn.functional as F
    model.train()
    total = torch.zeros((), dtype=torch.float64)
    correct = torch.zeros((), dtype=torch.int64)
    for step, start in enumerate(range(0, len(order), settings.batch_size)):
        batch = order[start:start + settings.batch_size]
        if lr_at is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr_at(first_step + step)
        optimizer.zero_grad(set_to_none=True)
        logits = model(x[batch])
        loss = F.cross_entropy(logits, y[batch])
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            total += loss.detach().double() * len(batch)
            correct += (logits.argmax(1) == y[batch]).sum()
    return float(total) / len(order), int(correct) / len(order)


def _fit(model, ds, settings, seed, epochs, prefix, probe=None):
    """Train for `epochs` (of the schedule's settings.epochs); after
    each, `probe` (if any) measures the model (`Experiment.probe`)."""
    import torch
    from ..train import evaluate
    x = torch.from_numpy(np.ascontiguousarray(ds.x_train)).float()
    y = torch.from_numpy(np.ascontiguousarray(ds.y_train)).long()
    optimizer = _optimizer(settings, model.parameters())
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    steps = math.ceil(len(x) / settings.batch_size)
    lr_at = _schedule(settings, steps * settings.epochs)
    names = ("train_loss", "train_acc", f"{prefix}_loss", f"{prefix}_acc",
             "seconds")
    curves, state = {name: [] for name in names}, {}
    for epoch in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x), generator=generator)
        measured = _epoch(model, x, y, order, settings, optimizer, lr_at,
                          epoch * steps)
        measured += evaluate(model, ds.x_test, ds.y_test)
        for name, value in zip(names, measured + (time.perf_counter()
                                                  - start,)):
            curves[name].append(value)
        if probe is not None:
            for name, value in probe(model, ds, state).items():
                if name in names:
                    raise ValueError(f"probe: {name!r} is a curve the run "
                                     f"records itself; name it otherwise")
                curves.setdefault(name, []).append(float(value))
    return curves


def train_run(experiment, variant, seed, split="test", training=None,
              threads=1, epochs=None):
    """Train one variant for one seed and return its per-epoch curves.

    Parameters
    ----------
    experiment : Experiment
    variant : str
        A key of ``experiment.variants``.
    seed : int
        Seeds the initial weights (`convlib.train.set_seed` just before
        the variant's `build`), the batch order and torch's generator.
    split : {"test", "validation"}
        Evaluate each epoch on the test set, or on a validation set cut
        from the training set (`held_out`).
    training : Training or None
        Replaces ``experiment.training`` (the variant's own settings
        still apply on top).
    threads : int
        torch's intra-op thread count during the run (restored after).
    epochs : int or None
        Stop after this many epochs of the schedule (None: all of them);
        the epochs run are identical to the first ones of a full run.

    Returns
    -------
    dict
        ``variant``, ``seed``, ``params`` (parameter count) and lists of
        one value per epoch: ``train_loss``, ``train_acc`` (during the
        epoch), ``test_loss``, ``test_acc`` (or ``val_loss``,
        ``val_acc``), ``seconds``, and the keys of the experiment's
        `probe` if it has one. Accuracies are fractions.
    """
    import torch
    from ..train import set_seed
    if variant not in experiment.variants:
        raise ValueError(f"train_run: variant must be one of "
                         f"{', '.join(experiment.variants)}, got "
                         f"{variant!r}")
    settings = experiment.training_of(variant, training)
    ds = held_out(_dataset(experiment), split,
                  experiment.validation_fraction)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        set_seed(seed)
        model = experiment.variants[variant].build()
        prefix = "test" if split == "test" else "val"
        curves = _fit(model, ds, settings, seed,
                      settings.epochs if epochs is None else epochs, prefix,
                      experiment.probe)
    finally:
        torch.set_num_threads(previous)
    params = sum(p.numel() for p in model.parameters())
    return {"variant": variant, "seed": seed, "params": params, **curves}


def _worker(task):
    experiment, variant, seed, split, training, threads = task
    return train_run(experiment, variant, seed, split, training, threads)


# ---------------------------------------------------------------- machine

def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_commit():
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse",
                                 "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status",
                                "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (commit + (" (with uncommitted changes)" if dirty else "")
            if commit else None)


def environment(threads=1, packages=()):
    """The software and machine a run used (JSON-able).

    Parameters
    ----------
    threads : int
        torch's intra-op threads per run.
    packages : sequence of str
        Packages whose versions to record besides python, torch, numpy
        and convlib.

    Returns
    -------
    dict
    """
    import torch
    from .. import __version__
    versions = {"python": platform.python_version(),
                "torch": torch.__version__, "numpy": np.__version__,
                "convlib": __version__}
    versions.update({name: _version(name) for name in packages})
    return {"versions": versions,
            "platform": platform.platform(),
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "cores_available": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "torch_threads": threads,
            "git_commit": _git_commit()}


# ---------------------------------------------------------------- the file

def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds")


def _new_document(experiment, config):
    return {"format": FORMAT, "name": experiment.name,
            "title": experiment.title, "created": _now(), "updated": None,
            "config": config, "environments": [], "sessions": [],
            "runs": []}


def _open(path, experiment, config, fresh):
    """The existing results file for the same settings, or a new one."""
    path = Path(path)
    if fresh or not path.exists():
        return _new_document(experiment, config)
    document = json.loads(path.read_text())
    if document.get("config") != config:
        old = document.get("config", {})
        keys = sorted(k for k in set(old) | set(config)
                      if old.get(k) != config.get(k))
        raise ValueError(
            f"run: {path} was made with other settings ({', '.join(keys)}"
            f" differ); give another --out, or --fresh to start it again")
    return document


_NUMBERS = re.compile(r"\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]")


def _one_line(match):
    return "[" + ", ".join(v.strip() for v in match.group(1).split(",")) + "]"


def write(path, document):
    """Write a results document: settings indented, one line per run.

    The file is replaced atomically (written next to it, then renamed),
    so an interrupted run never leaves half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {k: v for k, v in document.items() if k != "runs"}
    text = _NUMBERS.sub(_one_line, json.dumps(head, indent=1))[:-2]
    runs = ",\n  ".join(json.dumps(r) for r in document["runs"])
    text += f',\n "runs": [\n  {runs}\n ]\n}}\n' if runs else \
        ',\n "runs": []\n}\n'
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def _environment_index(document, env):
    if env not in document["environments"]:
        document["environments"].append(env)
    return document["environments"].index(env)


def _add(document, record, order):
    key = (record["variant"], record["seed"])
    runs = [r for r in document["runs"] if (r["variant"], r["seed"]) != key]
    runs.append(record)
    runs.sort(key=lambda r: (order.index(r["variant"]), r["seed"]))
    document["runs"] = runs


def _records(experiment, tasks, jobs):
    if jobs == 1:
        for task in tasks:
            yield _worker(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        for future in as_completed([pool.submit(_worker, t)
                                    for t in tasks]):
            yield future.result()


def run(experiment, path, seeds=None, split="test", training=None,
        threads=1, jobs=1, rerun=False, fresh=False, log=print):
    """Train every variant for every seed and save the curves to `path`.

    Runs already in the file (same settings) are skipped unless `rerun`;
    each finished run is written at once, so the file is always complete
    up to the last finished run.

    Parameters
    ----------
    experiment : Experiment
    path : str or pathlib.Path
        The JSON results file.
    seeds : sequence of int or None
        None: ``experiment.seeds``.
    split : {"test", "validation"}
        The held-out set (`held_out`).
    training : Training or None
        Replaces ``experiment.training``.
    threads : int
        torch threads per run.
    jobs : int
        Runs trained at once, each in its own process.
    rerun : bool
        Train runs already in the file again (and replace them).
    fresh : bool
        Start a new file even if one exists (with other settings too).
    log : callable or None
        Called with one line per finished run.

    Returns
    -------
    Results
    """
    config = experiment.config(split, training, threads)
    document = _open(path, experiment, config, fresh)
    seeds = tuple(experiment.seeds if seeds is None else seeds)
    done = {(r["variant"], r["seed"]) for r in document["runs"]}
    order = list(experiment.variants)
    tasks = [(experiment, v, s, split, training, threads) for s in seeds
             for v in order if rerun or (v, s) not in done]
    env = _environment_index(document, environment(threads,
                                                   experiment.packages))
    session = {"started": _now(), "seeds": list(seeds), "runs": len(tasks),
               "jobs": jobs,
               "load_average": [round(v, 2) for v in os.getloadavg()]}
    start = time.perf_counter()
    for i, record in enumerate(_records(experiment, tasks, jobs), 1):
        record.update(environment=env, finished=_now())
        _add(document, record, order)
        document["updated"] = record["finished"]
        write(path, document)
        if log:
            log(_log_line(record, i, len(tasks)))
    if tasks:
        session.update(finished=_now(), wall_seconds=round(
            time.perf_counter() - start, 1))
        document["sessions"].append(session)
        write(path, document)
    return Results(document, path)


def _log_line(record, i, n):
    metric = "test_acc" if "test_acc" in record else "val_acc"
    return (f"[{i}/{n}] {record['variant']} seed {record['seed']}: "
            f"{metric} {record[metric][-1]:.2%} after "
            f"{len(record[metric])} epochs, {sum(record['seconds']):.1f} s")


def reproduce(experiment, results, variant, seed, epochs=None):
    """Train a saved run again, with the settings its file records.

    Parameters
    ----------
    experiment : Experiment
        The script's specification; it must give the file's settings.
    results : Results
        The saved results.
    variant : str
    seed : int
    epochs : int or None
        Train only the first `epochs` epochs of the schedule.

    Returns
    -------
    dict
        The new run, as `train_run` returns it, to compare with
        ``results.run(variant, seed)``.
    """
    config = results.config
    training = dataclasses.replace(experiment.training, **config["training"])
    if experiment.config(config["split"], training,
                         config["torch_threads"]) != config:
        raise ValueError("reproduce: the experiment's settings differ from "
                         "the file's; the saved results are out of date")
    return train_run(experiment, variant, seed, config["split"], training,
                     config["torch_threads"], epochs)
