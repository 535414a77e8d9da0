"""Chapter 9 demo: the normalisation explorer.

A small batch of feature maps, ``NORM_INPUT`` of shape (N, C, H, W) =
(4, 4, 2, 2), normalised four ways -- batch, layer, instance and group
norm (with 1, 2 or 4 groups) -- in training or evaluation mode. The
reader picks a value x[n, c] and sees which values share its mean and
variance, those statistics, and the normalised output.

`norm_report` is the plain, tested function behind the demo: it names
the values averaged together and computes their mean and (biased)
variance, and the output with `convlib.numpy`. Batch norm's running
statistics (`running_stats`) are those that 30 earlier training batches
of the same kind left, with torch's momentum 0.1. The demo's config
holds `norm_report`'s answers for every setting its controls offer (7
settings x 16 values), so the JavaScript (``norm_explorer.js``) only
draws; the tests hold the config equal to `norm_report`.
"""
from collections import namedtuple

import numpy as np

from .. import numpy as cnp
from .._args import check_int
from ._demo import Demo
from ._strings import TABLE, text

KINDS = ("batch", "layer", "instance", "group")
GROUP_CHOICES = (1, 2, 4)
EPS = 1e-5
MOMENTUM = 0.1
WARM_UP_BATCHES = 30


def _batch(rng):
    """Integers 0-9 plus 10 per channel: each channel has its own
    level, as feature maps often do."""
    shift = 10 * np.arange(4.0).reshape(1, 4, 1, 1)
    return rng.integers(0, 10, size=(4, 4, 2, 2)).astype(float) + shift


NORM_INPUT = _batch(np.random.default_rng(9))


def running_stats():
    """Batch norm's running mean and variance after `WARM_UP_BATCHES`
    training batches like `NORM_INPUT` (fresh draws), starting from
    torch's mean 0 and variance 1 with momentum 0.1.

    Returns
    -------
    mean, var : ndarray, shape (4,)
    """
    mean, var = np.zeros(4), np.ones(4)
    rng = np.random.default_rng(2024)
    for _ in range(WARM_UP_BATCHES):
        cnp.batch_norm(_batch(rng), mean, var, training=True,
                       momentum=MOMENTUM, eps=EPS)
    return mean, var


NormReport = namedtuple(
    "NormReport", "kind training groups sample channel members count mean "
    "var output text")
NormReport.__doc__ = """What the explorer shows for one setting.

kind : str, one of KINDS; training : bool; groups : int (group norm)
sample, channel : int, the value x[sample, channel] picked
members : list of (n, c), the feature maps whose values share its mean
    and variance (empty in batch norm's evaluation mode: the running
    statistics are used)
count : int, how many values are averaged (members x H x W)
mean, var : float, the mean and biased variance used to normalise it
output : ndarray (N, C, H, W), the normalised batch (no affine step)
text : str, the sentence the demo prints
"""


def _members(kind, groups, n, c, shape):
    """(n', c') whose values are averaged with those of (n, c)."""
    N, C = shape[:2]
    if kind == "batch":
        return [(m, c) for m in range(N)]
    if kind == "layer":
        return [(n, d) for d in range(C)]
    if kind == "instance":
        return [(n, c)]
    size = C // groups
    first = c // size * size
    return [(n, d) for d in range(first, first + size)]


def _output(kind, training, groups, x):
    if kind == "batch":
        mean, var = running_stats()
        return cnp.batch_norm(x, mean, var, training=training, eps=EPS)
    if kind == "layer":
        return cnp.layer_norm(x, x.shape[1:], eps=EPS)
    if kind == "instance":
        return cnp.instance_norm(x, eps=EPS)
    return cnp.group_norm(x, groups, eps=EPS)


def _where(kind, groups, n, c, shape, lang="en"):
    N, C, H, W = shape
    if kind == "batch":
        return text("norm.where_batch", lang, c=c, N=N, HW=H * W)
    if kind == "layer":
        return text("norm.where_layer", lang, n=n, C=C, HW=H * W)
    if kind == "instance":
        return text("norm.where_instance", lang, n=n, c=c, HW=H * W)
    size = C // groups
    first = c // size * size
    key = "norm.where_group" if size > 1 else "norm.where_group_one"
    return text(key, lang, n=n, g=c // size, lo=first, hi=first + size - 1,
                HW=H * W)


def _sentence(kind, training, groups, n, c, count, mean, var, shape,
              lang="en"):
    name = text(f"norm.kind_{kind}", lang)
    if kind == "batch" and not training:
        return text("norm.result_running", lang, kind=name, n=n, c=c,
                    mean=f"{mean:.2f}", var=f"{var:.2f}")
    where = _where(kind, groups, n, c, shape, lang)
    if kind == "batch":
        return text("norm.result", lang, kind=name,
                    mode=text("norm.training", lang), n=n, c=c,
                    count=count, where=where, mean=f"{mean:.2f}",
                    var=f"{var:.2f}")
    return text("norm.result_any", lang, kind=name, n=n, c=c, count=count,
                where=where, mean=f"{mean:.2f}", var=f"{var:.2f}")


def norm_report(kind="batch", training=True, groups=2, sample=0, channel=0,
                input=None, lang="en"):
    """Which values are normalised together with x[sample, channel].

    Parameters
    ----------
    kind : {"batch", "layer", "instance", "group"}
    training : bool
        Batch norm: the batch's statistics (True) or the running ones
        (`running_stats`); the other three are the same in both modes.
    groups : int
        Group norm's number of groups, dividing the channels.
    sample, channel : int
        The value picked, x[sample, channel].
    input : ndarray, shape (N, C, H, W), or None
        The batch; None: `NORM_INPUT` (running statistics are those of
        batches like it, so give only batches with 4 channels).
    lang : str
        The language of the sentence (a column of the string table).

    Returns
    -------
    NormReport
        `output` is convlib.numpy's batch_norm, layer_norm (over C, H,
        W), instance_norm or group_norm without affine parameters.

    Raises
    ------
    ValueError
        For an unknown kind, a group count that does not divide the
        channels, or a sample or channel outside the batch.
    """
    fn = "norm_report"
    x = NORM_INPUT if input is None else np.asarray(input, dtype=float)
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be one of {', '.join(KINDS)}, "
                         f"got {kind!r}")
    N, C = x.shape[:2]
    groups = check_int(groups, "groups", fn)
    if kind == "group" and C % groups:
        raise ValueError(f"{fn}: groups must divide the {C} channels, got "
                         f"{groups}")
    n = check_int(sample, "sample", fn, minimum=0)
    c = check_int(channel, "channel", fn, minimum=0)
    if n >= N or c >= C:
        raise ValueError(f"{fn}: sample must be below {N} and channel "
                         f"below {C}, got {n} and {c}")
    output = _output(kind, bool(training), groups, x)
    if kind == "batch" and not training:
        members = []
        mean, var = (float(v[c]) for v in running_stats())
    else:
        members = _members(kind, groups, n, c, x.shape)
        values = np.concatenate([x[m, d].ravel() for m, d in members])
        mean, var = float(values.mean()), float(values.var())
    count = len(members) * x.shape[2] * x.shape[3]
    return NormReport(kind, bool(training), groups, n, c, members, count,
                      mean, var, output,
                      _sentence(kind, bool(training), groups, n, c, count,
                                mean, var, x.shape, lang))


def settings():
    """The (kind, training, groups) settings the explorer offers; each
    kind but batch norm is listed once (its mode changes nothing)."""
    out = [("batch", True, 1), ("batch", False, 1), ("layer", True, 1),
           ("instance", True, 1)]
    return out + [("group", True, g) for g in GROUP_CHOICES]


def setting_key(kind, training, groups):
    """The config's key of a setting: "batch/train", "group/2", ..."""
    if kind == "batch":
        return f"batch/{'train' if training else 'eval'}"
    return f"group/{groups}" if kind == "group" else kind


def explorer_config():
    """Everything the JavaScript draws: the input, and per setting the
    output and, per value, the members, the sentence and the numbers."""
    N, C = NORM_INPUT.shape[:2]
    languages = sorted(TABLE["norm.result"])   # the table's columns
    table = {}
    for kind, training, groups in settings():
        picks = [[norm_report(kind, training, groups, n, c)
                  for c in range(C)] for n in range(N)]
        table[setting_key(kind, training, groups)] = {
            "output": np.round(picks[0][0].output, 4).tolist(),
            "members": [[[list(m) for m in r.members] for r in row]
                        for row in picks],
            # the sentence in every language; the page picks its own
            "text": {lang: [[norm_report(kind, training, groups, n, c,
                                         lang=lang).text
                             for c in range(C)] for n in range(N)]
                     for lang in languages}}
    return {"input": NORM_INPUT.astype(int).tolist(), "settings": table,
            "controls": {"kinds": list(KINDS),
                         "groups": list(GROUP_CHOICES),
                         "samples": N, "channels": C}}


class NormExplorer(Demo):
    """Normalisation explorer (see `norm_explorer`)."""

    name, script = "norm-explorer", "norm_explorer.js"
    namespace = "convlibNormExplorer"
    _esm = Demo.module_for(script, namespace, name)


def norm_explorer(kind="batch", training=True, groups=2, sample=0,
                  channel=0):
    """The normalisation explorer, starting at the given setting.

    Shows `NORM_INPUT` as N rows (samples) of C feature maps (channels),
    shades the maps whose values share the mean and variance of the
    picked value x[sample, channel], prints `norm_report`'s sentence in
    a live region, and shows the input or the normalised output.

    Returns
    -------
    NormExplorer
        ``config`` holds the start and `explorer_config()`.
    """
    start = norm_report(kind, training, groups, sample, channel)
    if start.kind == "group" and groups not in GROUP_CHOICES:
        raise ValueError(f"norm_explorer: groups must be one of "
                         f"{GROUP_CHOICES}, got {groups!r}")
    return NormExplorer(config=dict(
        kind=start.kind, training=start.training,
        groups=start.groups if start.kind == "group" else 2,
        sample=start.sample, channel=start.channel, **explorer_config()))
