"""convlib.experiment and experiments/: the runner on a tiny experiment
made here (deterministic, resumable, parallel = serial, equal to
convlib.train.fit), the loader and its summary, and the saved chapter-4
results, of which a part is trained again and compared."""
import dataclasses
import functools
import json
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

from convlib import experiment, train
from convlib.data import Dataset
from convlib.experiment import Experiment, Training, Variant
from convlib.experiment.results import WIDTH
from convlib.palette import SERIES

from _experiments import CURVES, assert_reproduces, script as _script

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- a tiny one

def blobs(n=240, seed=0):
    """Three Gaussian blobs in 4-D, shaped (N, 1, 4) like a signal."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]])
    x = (centres[y] + rng.normal(0, 1.0, (n, 4))).astype(np.float32)
    cut = n * 3 // 4
    return Dataset(x[:cut, None], y[:cut], x[cut:, None], y[cut:],
                   ("a", "b", "c"))


def tiny_net(hidden):
    return nn.Sequential(nn.Flatten(), nn.Linear(4, hidden), nn.ReLU(),
                         nn.Linear(hidden, 3))


TINY = Experiment(
    name="tiny", title="two tiny networks on blobs",
    data=functools.partial(blobs, n=240),
    variants={"narrow": Variant(functools.partial(tiny_net, 4), "4 units"),
              "wide": Variant(functools.partial(tiny_net, 16), "16 units",
                              {"batch_size": 16})},
    training=Training(epochs=4, batch_size=32, lr=0.05),
    seeds=(0, 1, 2), pairing="the same batch order", quick={
        "seeds": (0,), "epochs": 2})


def _curves(record, keys=CURVES):
    return [record[k] for k in keys]


def test_constant_schedule_is_convlib_train_fit():
    """The runner's loop with a constant lr equals convlib.train.fit."""
    for variant, batch in (("narrow", 32), ("wide", 16)):
        record = experiment.train_run(TINY, variant, seed=3)
        train.set_seed(3)
        model = TINY.variants[variant].build()
        history = train.fit(model, blobs(), epochs=4, batch_size=batch,
                            lr=0.05, seed=3, progress=False)
        assert _curves(record) == [history.train_loss, history.train_acc,
                                   history.test_loss, history.test_acc]
        assert record["params"] == sum(p.numel()
                                       for p in model.parameters())


def test_cosine_schedule_decays_and_a_prefix_equals_the_full_run():
    cosine = Training(epochs=4, batch_size=32, lr=0.05, schedule="cosine")
    full = experiment.train_run(TINY, "narrow", 0, training=cosine)
    first = experiment.train_run(TINY, "narrow", 0, training=cosine,
                                 epochs=2)
    constant = experiment.train_run(TINY, "narrow", 0)
    assert _curves(first) == [c[:2] for c in _curves(full)]
    assert _curves(full) != _curves(constant)
    lr_at = experiment.running._schedule(cosine, 100)
    assert (lr_at(0), lr_at(50)) == pytest.approx((0.05, 0.025))
    assert lr_at(99) < 1e-4


def test_threads_are_set_for_the_run_and_restored():
    before = torch.get_num_threads()
    seen = []
    spec = dataclasses.replace(TINY, variants={"probe": Variant(
        lambda: seen.append(torch.get_num_threads()) or tiny_net(4))})
    experiment.train_run(spec, "probe", 0, threads=1)
    assert seen == [1] and torch.get_num_threads() == before


def test_validation_split_holds_out_part_of_the_training_set():
    ds = blobs()
    held = experiment.held_out(ds, "validation", 0.2)
    assert len(held.x_train) == 144 and len(held.x_test) == 36
    np.testing.assert_array_equal(held.x_test, ds.x_train[144:])
    assert experiment.held_out(ds, "test", 0.2) is ds
    record = experiment.train_run(TINY, "narrow", 0, split="validation")
    assert "val_acc" in record and "test_acc" not in record


def test_run_saves_resumes_and_reruns_identically(tmp_path):
    path, lines = tmp_path / "tiny.json", []
    experiment.run(TINY, path, seeds=(0, 1), log=lines.append)
    saved = json.loads(path.read_text())
    assert [(r["variant"], r["seed"]) for r in saved["runs"]] == [
        ("narrow", 0), ("narrow", 1), ("wide", 0), ("wide", 1)]
    assert len(lines) == 4 and len(saved["sessions"]) == 1
    experiment.run(TINY, path, seeds=(0, 1, 2), log=lines.append)
    assert len(lines) == 6                  # only seed 2 was trained
    results = experiment.run(TINY, path, seeds=(1,), rerun=True,
                             log=lines.append)
    again = {(r["variant"], r["seed"]): r
             for r in json.loads(path.read_text())["runs"]}
    assert len(again) == 6
    for old in saved["runs"]:               # deterministic per seed
        assert _curves(old) == _curves(again[old["variant"], old["seed"]])
    assert results.seeds() == [0, 1, 2]
    assert results.environments == saved["environments"]
    other = dataclasses.replace(TINY.training, lr=0.01)
    with pytest.raises(ValueError, match="training"):
        experiment.run(TINY, path, training=other, log=None)
    experiment.run(TINY, path, seeds=(0,), training=other, fresh=True,
                   log=None)


def test_parallel_runs_equal_serial_runs(tmp_path):
    serial = experiment.run(TINY, tmp_path / "a.json", seeds=(0, 1),
                            log=None)
    parallel = experiment.run(TINY, tmp_path / "b.json", seeds=(0, 1),
                              jobs=2, log=None)
    assert [_curves(r) for r in serial.runs] == [
        _curves(r) for r in parallel.runs]


def test_the_file_records_settings_versions_and_machine(tmp_path):
    results = experiment.run(TINY, tmp_path / "t.json", seeds=(0,),
                             log=None)
    config = results.config
    assert config["training"] == dataclasses.asdict(TINY.training)
    assert config["data"] == {"function": "test_experiments.blobs",
                              "n": 240}
    assert config["variants"]["wide"]["training"] == {"batch_size": 16}
    env = results.environments[0]
    assert env["versions"]["torch"] == torch.__version__
    assert env["versions"]["numpy"] == np.__version__
    assert env["torch_threads"] == 1 and env["cores"] >= 1 and env["cpu"]
    assert results.document["created"].endswith("+00:00")
    session = results.document["sessions"][0]
    assert session["runs"] == 2 and session["wall_seconds"] >= 0


def test_results_api_and_summary(tmp_path):
    results = experiment.run(TINY, tmp_path / "t.json", seeds=(0, 1, 2),
                             training=dataclasses.replace(TINY.training,
                                                          epochs=10),
                             log=None)
    loaded = experiment.load(tmp_path / "t.json")
    assert loaded.runs == results.runs and loaded.variants == (
        "narrow", "wide")
    acc = loaded.curves("wide")
    assert acc.shape == (3, 10)
    assert acc[1, -1] == 100 * loaded.run("wide", 1)["test_acc"][-1]
    np.testing.assert_allclose(loaded.final("wide", 5),
                               acc[:, -5:].mean(axis=1))
    paired = loaded.compare("wide", "narrow")
    welch = loaded.compare("wide", "narrow", paired=False)
    assert paired.method == "paired t" and welch.method == "Welch t"
    assert paired.df == 2 and paired.estimate == pytest.approx(
        welch.estimate)
    assert loaded.convergence("wide").window == 5
    assert len(loaded.rows()) == 2 * 3 * 10
    assert loaded.rows()[0].keys() >= {"variant", "seed", "epoch",
                                       "test_acc"}
    text = loaded.summary(bootstrap=True)
    assert max(map(len, text.splitlines())) <= WIDTH
    assert "wide - narrow" in text and "paired t, 2 df" in text
    assert "16 units" in text and "Paired by seed" in text


def test_plot_curves_uses_the_palette():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    results = experiment.Results(_document(), None)
    fig, ax = plt.subplots()
    experiment.plot_curves(results, ax)
    lines = ax.get_lines()
    assert [line.get_color() for line in lines] == list(SERIES[:2])
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert ax.get_ylabel() == "test accuracy (%)"
    plt.close(fig)


def _document():
    runs = [{"variant": v, "seed": s, "params": 10,
             "train_loss": [1.0] * 10, "train_acc": [0.5] * 10,
             "test_loss": [1.0] * 10,
             "test_acc": list(np.linspace(0.5, 0.9 + s / 100 + i / 10, 10)),
             "seconds": [0.1] * 10}
            for i, v in enumerate(("a", "b")) for s in range(3)]
    config = {"split": "test", "pairing": None, "variants": {
        "a": {"description": ""}, "b": {"description": ""}}}
    return {"format": 1, "name": "fake", "title": "fake", "config": config,
            "runs": runs}


def test_main_command_line(tmp_path, capsys):
    out = tmp_path / "cli.json"
    results = experiment.main(TINY, ["--quick", "--out", str(out)])
    assert results.seeds() == [0] and len(results.curves("narrow")[0]) == 2
    assert "narrow - " not in capsys.readouterr().err
    shown = experiment.main(TINY, ["--show", "--out", str(out)])
    assert shown.runs == results.runs
    assert experiment.parse_seeds("0-2,5,1") == (0, 1, 2, 5)
    parser = experiment.cli._parser(TINY)
    args = parser.parse_args(["--split", "validation", "--quick"])
    assert experiment.cli._default_path(
        TINY, "r", args, {"epochs": 9}).name == \
        "tiny-quick-validation-epochs9.json"


def test_load_errors_say_where_they_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="convlib/experiment/saved"):
        experiment.load("no_such_experiment")
    with pytest.raises(FileNotFoundError, match="no results file"):
        experiment.load(tmp_path / "missing.json")


# ---------------------------------------------------------------- chapter 4


@pytest.fixture(scope="module")
def hdc():
    return _script("hdc_mnist1d").EXPERIMENT


@pytest.fixture(scope="module")
def saved():
    return experiment.load("hdc_mnist1d")


def test_hdc_networks_have_equal_parameters_and_share_a_seeds_weights(hdc):
    nets = {}
    for name, variant in hdc.variants.items():
        train.set_seed(7)
        nets[name] = variant.build()
    counts = {sum(p.numel() for p in n.parameters()) for n in nets.values()}
    assert counts == {6666}
    plain = nets["plain"].state_dict()
    for net in nets.values():      # the pairing's claim: same weights
        for key, value in net.state_dict().items():
            assert torch.equal(value, plain[key])
    dilations = [m.dilation[0] for m in nets["HDC"]
                 if isinstance(m, nn.Conv1d)]
    assert dilations == [1, 2, 5]


def test_saved_hdc_results_are_the_scripts_and_converged(hdc, saved):
    assert saved.config == hdc.config()
    assert saved.path == ROOT / "convlib/experiment/saved/hdc_mnist1d.json"
    epochs = hdc.training.epochs
    for variant in hdc.variants:
        assert saved.seeds(variant) == list(hdc.seeds)
        assert len(hdc.seeds) >= 10
        assert saved.curves(variant).shape == (len(hdc.seeds), epochs)
        assert saved.params(variant) == 6666
        assert saved.convergence(variant, window=5, tol=0.2).converged
    assert max(map(len, saved.summary().splitlines())) <= WIDTH


# Trained again here: the first 2 epochs of seed 0 of each network, bit
# for bit on the machine that made the file, else within the seeds'
# spread (tests/_experiments.py).
@pytest.mark.parametrize("variant", ["plain", "HDC", "gridding"])
def test_saved_hdc_runs_reproduce(hdc, saved, variant):
    assert_reproduces(hdc, saved, variant, epochs=2)


class _ThreeSeeds:
    """A results file of three runs: seed s's curves are 1 + 0.1 s and
    0.5 + 0.1 s, so the largest difference between two seeds is 0.2."""
    environments = [{}]

    def seeds(self, variant):
        return [0, 1, 2]

    def run(self, variant, seed):
        return dict({k: [1 + 0.1 * seed, 0.5 + 0.1 * seed] for k in CURVES},
                    environment=0)


@pytest.mark.parametrize("shift, holds", [(0.29, True), (-0.29, True),
                                          (0.31, False), (-0.31, False)])
def test_off_its_machine_a_rerun_stays_within_the_seeds_spread(
        monkeypatch, shift, holds):
    import _experiments
    saved = _ThreeSeeds()
    monkeypatch.setattr(_experiments, "same_machine", lambda env: False)
    monkeypatch.setattr(experiment, "reproduce", lambda *a, **k: {
        key: [v + shift for v in saved.run("v", 0)[key]] for key in CURVES})
    assert _experiments.SEED_SPREADS == 1.5   # the bound is 1.5 x 0.2
    if holds:
        assert_reproduces(None, saved, "v", epochs=2)
    else:
        with pytest.raises(AssertionError, match="seeds' spread"):
            assert_reproduces(None, saved, "v", epochs=2)


# ---------------------------------------------------------------- the API

def _public_functions():
    from convlib import stats
    for module in (stats, experiment):
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type):
                yield f"{module.__name__}.{name}", obj


@pytest.mark.parametrize("qualname,function", list(_public_functions()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_numpydoc_docstring(qualname, function):
    import inspect
    doc = inspect.getdoc(function) or ""
    assert "Parameters\n----------" in doc, f"{qualname}: no Parameters"
    assert "Returns\n-------" in doc, f"{qualname}: no Returns"


NO_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'torch', 'matplotlib', 'scipy'}:
            raise ImportError('blocked ' + name)
sys.meta_path.insert(0, Block())
from convlib import experiment, stats
print(experiment.load('hdc_mnist1d').summary().splitlines()[0])
"""


def test_results_load_and_show_without_torch():
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", NO_TORCH], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Chapter 4")


def test_results_ship_inside_the_package(tmp_path):
    """Colab installs convlib alone (no experiments/, no clone): the
    results files are package data, found by an installed copy."""
    import os
    import subprocess
    import sys
    import tomllib
    from pathlib import PurePosixPath
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["convlib"]
    saved = sorted(experiment.RESULTS_DIR.glob("*.json"))
    assert experiment.RESULTS_DIR == ROOT / "convlib/experiment/saved"
    assert len(saved) >= 6
    for path in saved:         # pyproject puts each one into the wheel
        inside = PurePosixPath(path.relative_to(ROOT / "convlib").as_posix())
        assert any(inside.match(g) or inside.match(g.replace("**/", ""))
                   for g in globs), inside
    # the package alone, away from the repository, as pip installs it
    shutil.copytree(ROOT / "convlib", tmp_path / "site" / "convlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run(
        [sys.executable, "-c", NO_TORCH + "import convlib\n"
         "print(convlib.__file__)"], cwd=work, env=env,
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    title, where = result.stdout.splitlines()
    assert title.startswith("Chapter 4")
    assert where.startswith(str(tmp_path / "site"))


def test_the_schedule_is_the_one_the_validation_files_choose(hdc, capsys):
    """hdc_mnist1d_schedule.py applies its rule to the committed
    validation files; the experiment trains with what it chooses."""
    choice = _script("hdc_mnist1d_schedule").report()
    assert choice == "cosine, 30 epochs"
    assert (hdc.training.schedule, hdc.training.epochs) == ("cosine", 30)
    assert "constant, 60 epochs" in capsys.readouterr().out


@pytest.mark.parametrize("epochs, schedule", [
    (20, "cosine"), (30, "cosine"), (40, "cosine"), (60, "cosine"),
    (60, "constant")])
def test_validation_files_are_of_this_experiment(hdc, epochs, schedule):
    suffix = "-scheduleconstant" if schedule == "constant" else ""
    results = experiment.load(f"hdc_mnist1d-validation-epochs{epochs}"
                              f"{suffix}")
    training = dataclasses.replace(hdc.training, epochs=epochs,
                                   schedule=schedule)
    assert results.config == hdc.config("validation", training)
    assert results.split == "validation" and results.seeds() == list(
        range(10))
    assert "test_acc" not in results.runs[0]      # the test set unseen
