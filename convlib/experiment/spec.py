"""What an experiment trains: the data, the variants, the schedule.

Plain data classes; nothing here imports torch. `Experiment.config`
turns a specification into the JSON-able settings that a results file
records and that decide whether two runs belong to the same experiment.
"""
import dataclasses
import functools
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

from .._args import is_int

__all__ = ["Training", "Variant", "Experiment", "SCHEDULES", "SPLITS"]

SCHEDULES = ("constant", "cosine")
SPLITS = ("test", "validation")
_OPTIMIZERS = ("adam", "adamw", "sgd")


@dataclass(frozen=True)
class Training:
    """How every network of an experiment is trained.

    Attributes
    ----------
    epochs : int
        Passes over the training set.
    batch_size : int
        Samples per optimizer step.
    lr : float
        Learning rate (the peak of the "cosine" schedule).
    optimizer : {"adam", "adamw", "sgd"}
        As in `convlib.train.fit`.
    schedule : {"constant", "cosine"}
        "constant" keeps `lr` (then a run equals `convlib.train.fit`
        exactly); "cosine" sets step s of S to
        ``lr * (1 + cos(pi * s / S)) / 2``, from `lr` down towards 0.
    weight_decay : float
        L2 penalty (decoupled for "adamw").
    momentum : float
        Momentum of "sgd".
    """

    epochs: int = 30
    batch_size: int = 128
    lr: float = 1e-2
    optimizer: str = "adam"
    schedule: str = "constant"
    weight_decay: float = 0.0
    momentum: float = 0.9

    def __post_init__(self):
        fn = "Training"
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if not is_int(value) or value < 1:
                raise ValueError(f"{fn}: {name} must be an int >= 1, got "
                                 f"{value!r}")
        for name, allowed in (("optimizer", _OPTIMIZERS),
                              ("schedule", SCHEDULES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{fn}: {name} must be one of "
                                 f"{', '.join(allowed)}, got "
                                 f"{getattr(self, name)!r}")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"{fn}: lr must be a number > 0, got "
                             f"{self.lr!r}")

    def as_dict(self):
        """The settings as a plain dict (for JSON)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Variant:
    """One network of an experiment.

    Attributes
    ----------
    build : callable
        ``build() -> torch.nn.Module``, called right after
        `convlib.train.set_seed(seed)`, so the seed fixes the initial
        weights. A module-level function or a `functools.partial` of one
        (runs in parallel processes pickle it).
    description : str
        A few words shown in tables, e.g. "rates [1, 2, 5]".
    training : dict
        Settings of `Training` that differ for this variant, e.g.
        ``{"batch_size": 4}``.
    """

    build: object
    description: str = ""
    training: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """Everything a script needs to run an experiment and record it.

    Attributes
    ----------
    name : str
        File name of the results, ``<name>.json`` in
        `convlib.experiment.RESULTS_DIR`.
    title : str
        One line saying what is compared.
    data : callable
        ``data() -> convlib.data.Dataset``; a `functools.partial` of a
        loader, whose function and keywords are recorded.
    variants : dict of str to Variant
        The networks, in the order tables show them.
    training : Training
        Settings shared by all variants.
    seeds : tuple of int
        The seeds of a full run.
    pairing : str or None
        Why runs of different variants with the same seed are paired
        (what a seed fixes that they share), or None if they are not:
        then comparisons use Welch's interval instead of the paired one.
    quick : dict
        ``{"seeds": ..., "epochs": ...}`` of the short version, `--quick`.
    validation_fraction : float
        Share of the training set held out when ``split="validation"``.
    packages : tuple of str
        Python packages whose versions the results record (torch and
        numpy always are).
    probe : callable or None
        Measurements of the network besides its loss and accuracy:
        ``probe(model, data, state) -> dict of str to float``, called
        after each epoch (after its test evaluation, outside the timed
        part) with the data the run trains on (`held_out`'s) and a dict
        `state` that lives for the run (empty at its start). Each key
        becomes a per-epoch curve of the run, beside ``train_loss`` and
        the rest (`Results.curves(variant, key)`). A module-level
        function or a `functools.partial` of one; it must leave the
        model, its mode and the random generators as it found them.
    """

    name: str
    title: str
    data: object
    variants: dict
    training: Training = Training()
    seeds: tuple = tuple(range(10))
    pairing: object = None
    quick: dict = field(default_factory=lambda: {"seeds": (0, 1),
                                                 "epochs": 3})
    validation_fraction: float = 0.2
    packages: tuple = ()
    probe: object = None

    def training_of(self, variant, training=None):
        """The `Training` of one variant: shared settings, then the
        variant's own. `training` replaces the shared settings."""
        base = self.training if training is None else training
        return dataclasses.replace(base, **self.variants[variant].training)

    def config(self, split="test", training=None, threads=1):
        """The settings that define a results file (JSON-able).

        Parameters
        ----------
        split : {"test", "validation"}
            Which held-out set each epoch is evaluated on.
        training : Training or None
            Replaces `self.training` (command-line overrides).
        threads : int
            torch's intra-op threads per run.

        Returns
        -------
        dict
            data, split, training, variants (description and training
            overrides), pairing and threads, as JSON gives them back
            (tuples become lists), and the probe's function if there is
            one; the seeds and the machine are not part of it.
        """
        if split not in SPLITS:
            raise ValueError(f"Experiment.config: split must be one of "
                             f"{', '.join(SPLITS)}, got {split!r}")
        training = self.training if training is None else training
        config = {
            "data": describe_call(self.data),
            "split": split,
            "validation_fraction": (self.validation_fraction
                                    if split == "validation" else None),
            "training": training.as_dict(),
            "variants": {name: {"description": v.description,
                                "training": dict(v.training)}
                         for name, v in self.variants.items()},
            "pairing": self.pairing,
            "torch_threads": threads,
        }
        if self.probe is not None:
            config["probe"] = _describe_probe(self.probe)
        return json.loads(json.dumps(config))     # as a file holds it


def describe_call(function):
    """``{"function": "module.name", **keywords}`` of a loader or a
    `functools.partial` of one."""
    args, keywords = (), {}
    while isinstance(function, functools.partial):
        args = function.args + args
        keywords = {**function.keywords, **keywords}
        function = function.func
    name = f"{function.__module__}.{function.__qualname__}"
    return {"function": name, **({"args": list(args)} if args else {}),
            **keywords}


def _describe_probe(probe):
    """`describe_call` of a probe, named after the file that defines it
    (``activations_dying.unit_probe``), so that the name is the same
    whether the script runs as ``__main__`` or is imported."""
    described = describe_call(probe)
    function = probe
    while isinstance(function, functools.partial):
        function = function.func
    stem = Path(inspect.getsourcefile(function)).stem
    described["function"] = f"{stem}.{function.__qualname__}"
    return described
