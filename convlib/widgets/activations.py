"""Chapter 7 demo: the activation explorer.

The reader picks activation functions and their parameters (Leaky ReLU's
slope, RReLU's range, ELU's and CELU's alpha, Softplus's beta) and sees
the curves and their derivatives overlaid on an x-range they can zoom,
with the value and the slope at a point they move. Below, the functions
are fed a pre-activation input ``Z ~ N(mean, std**2)``: a histogram of
each output, its mean and variance, its root-mean-square slope
``sqrt(E[f'(Z)**2])`` and the factor by which a gradient changes per
layer, ``gain * rms slope``, and through `layers` layers, for weights of
standard deviation ``gain / sqrt(n)`` (chapter 7 measures these in
stacks of layers).

Behind the demo are plain functions computed with `convlib.numpy`:
`activation_samples` (curve and derivative on the demo's x grid),
`activation_point` (value and slope at one x), over the bounded grid of
slider settings that `parameter_grid` lists, and
`activation_distribution` (the statistics of the outputs for an input
N(mean, std**2), by a fixed quadrature, `input_points`). The page's
JavaScript (``activation_explorer.js``) evaluates the same formulas so
that every control answers at once; the tests hold its numbers equal to
these functions, forward and backward.
"""
import itertools
import math
from collections import namedtuple

import numpy as np

from .. import numpy as cnp
from .._args import check_int, check_real
from .._args import describe as _describe
from ._demo import Demo

Param = namedtuple("Param", "field lo hi step default")
Param.__doc__ = """A slider: keyword `field` of the convlib function,
from `lo` to `hi` in steps of `step`, starting at `default`."""

Spec = namedtuple("Spec", "name op kwargs params")
Spec.__doc__ = """One function of the explorer: `op` is the name of the
convlib.numpy function (its backward is ``op + '_backward'``), called
with the fixed `kwargs` and the slider `params`. Its words -- name,
formula, derivative, the sliders' labels -- are the string table's
``act.<name>.label``, ``.formula``, ``.derivative`` and
``.<field>``."""

X_LO, X_HI, X_STEP = -4.0, 4.0, 0.05
SOFTPLUS_THRESHOLD = 20.0
# the view: its centre (a slider) and its width (a select)
VIEW_CENTRE = Param("centre", -4.0, 4.0, 0.25, 0.0)
VIEW_WIDTHS = (8.0, 4.0, 2.0, 1.0, 0.5)
DRAWN_POINTS = 241          # points of each drawn curve across the view
# the input N(mean, std^2) and the stack it stands for
INPUT_MEAN = Param("mean", -3.0, 3.0, 0.1, 0.0)
INPUT_STD = Param("std", 0.1, 3.0, 0.1, 1.0)
LAYERS = Param("layers", 1, 64, 1, 16)
GAINS = ((0.5, "1/2"), (0.75, "3/4"), (1.0, "1"), (math.sqrt(2), "√2"),
         (5 / 3, "5/3"), (2.0, "2"), (3.0, "3"))
GAIN_DEFAULT = 1.0
# quadrature of N(mean, std^2): the midpoints of QUAD_N equal cells of
# t in [-QUAD_HALF, QUAD_HALF]
QUAD_N, QUAD_HALF = 1200, 6.0
# histogram: HIST_BINS bins over the outputs of |t| <= HIST_HALF
HIST_BINS, HIST_HALF = 30, 3.0

SPECS = (
    Spec("sigmoid", "sigmoid", {}, ()),
    Spec("tanh", "tanh", {}, ()),
    Spec("relu", "relu", {}, ()),
    Spec("leaky_relu", "leaky_relu", {},
         (Param("negative_slope", 0.0, 1.0, 0.01, 0.1),)),
    Spec("rrelu", "rrelu", {"training": False},
         (Param("lower", 0.0, 0.5, 0.01, 0.12),
          Param("upper", 0.0, 0.5, 0.01, 0.33))),
    Spec("relu6", "hardtanh", {"min_val": 0.0, "max_val": 6.0}, ()),
    Spec("hardsigmoid", "hardsigmoid", {}, ()),
    Spec("hardswish", "hardswish", {}, ()),
    Spec("elu", "elu", {}, (Param("alpha", 0.1, 3.0, 0.1, 1.0),)),
    Spec("celu", "celu", {}, (Param("alpha", 0.1, 3.0, 0.1, 1.0),)),
    Spec("selu", "selu", {}, ()),
    Spec("gelu", "gelu", {"approximate": "none"}, ()),
    Spec("gelu_tanh", "gelu", {"approximate": "tanh"}, ()),
    Spec("silu", "silu", {}, ()),
    Spec("mish", "mish", {}, ()),
    Spec("softplus", "softplus", {"threshold": SOFTPLUS_THRESHOLD},
         (Param("beta", 0.5, 10.0, 0.5, 1.0),)),
)
_BY_NAME = {spec.name: spec for spec in SPECS}


def _steps(lo, hi, step):
    """lo, lo + step, ..., hi, rounded to 10 decimals."""
    n = int(round((hi - lo) / step)) + 1
    return np.round(lo + step * np.arange(n), 10)


def explorer_x():
    """The demo's x grid: -4 to 4 in steps of 0.05 (161 points)."""
    return _steps(X_LO, X_HI, X_STEP)


def _spec(name, fn):
    if not isinstance(name, str) or name not in _BY_NAME:
        raise ValueError(f"{fn}: name must be one of "
                         f"{', '.join(_BY_NAME)}; got {_describe(name)}")
    return _BY_NAME[name]


def _param_values(param):
    return [float(v) for v in _steps(param.lo, param.hi, param.step)]


def parameter_grid(name):
    """Every slider setting of one function (the grid the tests sweep).

    Parameters
    ----------
    name : str
        One of the explorer's functions (the ``name`` of a `SPECS` entry).

    Returns
    -------
    list of dict
        One dict of keyword arguments per setting; ``[{}]`` for a
        function without parameters.
    """
    spec = _spec(name, "parameter_grid")
    fields = [p.field for p in spec.params]
    values = [_param_values(p) for p in spec.params]
    return [dict(zip(fields, combo)) for combo in itertools.product(*values)]


def _kwargs(spec, params, fn):
    allowed = {p.field for p in spec.params}
    unknown = set(params) - allowed
    if unknown:
        raise ValueError(
            f"{fn}: {spec.name} takes the parameters "
            f"{sorted(allowed) or 'none'}; got {sorted(unknown)}")
    kwargs = {p.field: p.default for p in spec.params}
    kwargs.update(params)
    return {**spec.kwargs, **kwargs}


def activation_samples(name, x=None, **params):
    """Curve and derivative of one function, computed with convlib.numpy.

    Parameters
    ----------
    name : str
        The function (see `SPECS`), e.g. ``'leaky_relu'``.
    x : array_like, shape (n,), optional
        Where to evaluate; default `explorer_x`.
    **params
        The function's parameters (defaults: the sliders' starting
        values), e.g. ``negative_slope=0.2``.

    Returns
    -------
    x, y, dy : ndarray, shape (n,), float64
        ``y = f(x)`` and ``dy = f'(x)``, the latter from the function's
        ``_backward`` with a gradient of ones.

    Raises
    ------
    ValueError
        For an unknown name or parameter, or a setting convlib rejects
        (e.g. RReLU with ``lower > upper``).
    """
    spec = _spec(name, "activation_samples")
    kwargs = _kwargs(spec, params, "activation_samples")
    xs = explorer_x() if x is None else np.asarray(x, dtype=np.float64)
    forward = getattr(cnp, spec.op)
    backward = getattr(cnp, spec.op + "_backward")
    y = forward(xs, **kwargs)
    dy = backward(np.ones_like(xs), xs, **kwargs)
    return xs, y, dy


def activation_point(name, x, **params):
    """Value and slope ``(f(x), f'(x))`` of one function at one x.

    Parameters
    ----------
    name : str
        The function (see `SPECS`).
    x : float
        Where to evaluate.
    **params
        As for `activation_samples`.

    Returns
    -------
    (float, float)
        ``f(x)`` and ``f'(x)``.
    """
    _, y, dy = activation_samples(name, np.array([float(x)]), **params)
    return float(y[0]), float(dy[0])


def input_points(mean=0.0, std=1.0):
    """The quadrature of ``Z ~ N(mean, std**2)`` the demo uses.

    Parameters
    ----------
    mean : float
    std : float
        > 0.

    Returns
    -------
    z, weights, t : ndarray, shape (QUAD_N,)
        ``z = mean + std * t`` at ``t`` the midpoints of QUAD_N equal
        cells of [-QUAD_HALF, QUAD_HALF] (so no t is 0: a kink at the
        mean falls between two points); `weights` proportional to the
        normal density at ``t``, summing to 1, so that
        ``sum(weights * g(z))`` approximates ``E[g(Z)]``.
    """
    fn = "input_points"
    mean, std = check_real(mean, "mean", fn), check_real(std, "std", fn)
    if not std > 0:
        raise ValueError(f"{fn}: std must be > 0, got {std}")
    i = np.arange(QUAD_N, dtype=np.float64)
    t = -QUAD_HALF + (2 * i + 1) * QUAD_HALF / QUAD_N
    w = np.exp(-0.5 * t * t)
    return mean + std * t, w / w.sum(), t


def _output_range(curves, t):
    """[lo, hi] of the outputs at |t| <= HIST_HALF over all `curves`."""
    central = np.abs(t) <= HIST_HALF
    lo = min(float(y[central].min()) for y in curves)
    hi = max(float(y[central].max()) for y in curves)
    return (lo, hi) if hi - lo > 1e-9 else (lo, lo + 1.0)


def _histogram(y, weights, lo, hi):
    """Weight of the outputs in each of HIST_BINS bins of [lo, hi]; the
    outputs outside it count in the end bins."""
    k = np.floor((y - lo) / (hi - lo) * HIST_BINS)
    k = np.clip(k, 0, HIST_BINS - 1).astype(int)
    return np.bincount(k, weights, minlength=HIST_BINS)


def activation_distribution(functions, mean=0.0, std=1.0, gain=1.0,
                            layers=1, **params):
    """What the functions make of a pre-activation input N(mean, std**2).

    Parameters
    ----------
    functions : sequence of str
        Names of `SPECS` entries.
    mean, std : float
        The input ``Z ~ N(mean, std**2)``; std > 0.
    gain : float
        Weights of standard deviation ``gain / sqrt(n)`` for n inputs.
    layers : int
        Layers the per-layer factor is compounded over, >= 1.
    **params
        Function parameters as ``'<name>__<field>'``, e.g.
        ``elu__alpha=2.0`` (defaults: the sliders' starting values).

    Returns
    -------
    dict
        ``edges``: the HIST_BINS + 1 bin edges shared by all functions;
        ``functions``: per name a dict with ``mean`` and ``var`` of
        ``f(Z)``, ``rms_slope`` ``sqrt(E[f'(Z)**2])``, ``per_layer``
        ``gain * rms_slope`` (the factor by which a gradient's size
        changes through one layer of such units), ``through``
        ``per_layer ** layers``, and ``counts`` (the share of outputs
        in each bin; outputs outside the edges in the end bins). All by
        the quadrature of `input_points`.

    Raises
    ------
    ValueError
        For an unknown name or parameter, std <= 0, layers < 1, or a
        setting convlib rejects.
    """
    fn = "activation_distribution"
    gain = check_real(gain, "gain", fn)
    layers = check_int(layers, "layers", fn)
    z, w, t = input_points(mean, std)
    own = {name: {} for name in functions}
    for key, value in params.items():
        name, _, field = key.partition("__")
        if name not in own:
            raise ValueError(f"{fn}: {key} names no function of "
                             f"{list(own)}")
        own[name][field] = value
    curves = {name: activation_samples(name, z, **own[name])[1:]
              for name in functions}
    lo, hi = _output_range([y for y, _ in curves.values()], t)
    stats = {}
    for name, (y, dy) in curves.items():
        m = float(np.sum(w * y))
        rms = math.sqrt(float(np.sum(w * dy * dy)))
        stats[name] = dict(mean=m, var=float(np.sum(w * (y - m) ** 2)),
                           rms_slope=rms, per_layer=gain * rms,
                           through=(gain * rms) ** layers,
                           counts=_histogram(y, w, lo, hi))
    edges = lo + (hi - lo) * np.arange(HIST_BINS + 1) / HIST_BINS
    return {"edges": edges, "functions": stats}


def _control(param, value=None):
    return dict(field=param.field, lo=param.lo, hi=param.hi,
                step=param.step,
                value=param.default if value is None else float(value))


def _start_value(param, value, fn):
    """A starting value on the control's grid."""
    value = check_real(value, param.field, fn)
    if not any(math.isclose(value, v, abs_tol=1e-9)
               for v in _param_values(param)):
        raise ValueError(f"{fn}: {param.field} must be on the grid "
                         f"{param.lo:g} to {param.hi:g} in steps of "
                         f"{param.step:g}; got {value!r}")
    return value


def explorer_config(functions=("relu", "leaky_relu", "elu"), point=-1.0,
                    centre=0.0, width=8.0, mean=0.0, std=1.0, gain=1.0,
                    layers=16, **params):
    """The demo's config: functions, controls, grids and starting state.

    Parameters
    ----------
    functions : sequence of str
        The functions drawn at the start.
    point : float
        The starting point x0 (on the x grid).
    centre, width : float
        The x-range shown: centre on -4 to 4 in steps of 0.25, width one
        of `VIEW_WIDTHS`.
    mean, std : float
        The starting input N(mean, std**2), on the sliders' grids.
    gain : float
        One of the `GAINS`.
    layers : int
        1 to 64.
    **params
        Starting slider values, as ``'<name>__<field>'``, e.g.
        ``leaky_relu__negative_slope=0.2``.

    Returns
    -------
    dict
        JSON-ready; everything the JavaScript needs.
    """
    fn = "activation_explorer"
    chosen = [_spec(name, fn).name for name in functions]
    start = {}
    for key, value in params.items():
        name, _, field = key.partition("__")
        spec = _spec(name, fn)
        _kwargs(spec, {field: value}, fn)
        start.setdefault(name, {})[field] = float(value)
    xs = explorer_x()
    if not np.any(np.isclose(xs, point)):
        raise ValueError(f"{fn}: point must be on the grid {X_LO} to "
                         f"{X_HI} in steps of {X_STEP}; got {point!r}")
    if width not in VIEW_WIDTHS:
        raise ValueError(f"{fn}: width must be one of {list(VIEW_WIDTHS)}"
                         f"; got {width!r}")
    if not any(math.isclose(gain, g) for g, _ in GAINS):
        raise ValueError(f"{fn}: gain must be one of "
                         f"{[round(g, 4) for g, _ in GAINS]}; got {gain!r}")
    functions_cfg = [dict(
        name=s.name,
        params=[_control(p, start.get(s.name, {}).get(p.field))
                for p in s.params]) for s in SPECS]
    return dict(
        functions=functions_cfg, selected=chosen, xs=xs.tolist(),
        point=float(point), step=X_STEP, threshold=SOFTPLUS_THRESHOLD,
        view=dict(centre=_control(VIEW_CENTRE, _start_value(
                      VIEW_CENTRE, centre, fn)),
                  widths=list(VIEW_WIDTHS), width=float(width),
                  points=DRAWN_POINTS),
        input=dict(mean=_control(INPUT_MEAN, _start_value(
                       INPUT_MEAN, mean, fn)),
                   std=_control(INPUT_STD, _start_value(INPUT_STD, std, fn)),
                   layers=_control(LAYERS, _start_value(LAYERS, layers, fn)),
                   gains=[[g, text] for g, text in GAINS],
                   gain=float(gain)),
        quadrature=dict(n=QUAD_N, half=QUAD_HALF),
        histogram=dict(bins=HIST_BINS, half=HIST_HALF))


class ActivationExplorer(Demo):
    """Activation explorer (see `activation_explorer`)."""

    name, script = "activation-explorer", "activation_explorer.js"
    namespace = "convlibActivationExplorer"
    _esm = Demo.module_for(script, namespace, name)

    def __repr__(self):
        return (f"ActivationExplorer(selected={self.config['selected']!r}, "
                f"point={self.config['point']!r})")


def activation_explorer(functions=("relu", "leaky_relu", "elu"),
                        point=-1.0, **settings):
    """Activation explorer: curves, derivatives, and what they make of an
    input N(mean, std**2).

    Check boxes choose the functions drawn; sliders set their parameters,
    the point x0 and the view; the table gives ``f(x0)`` and ``f'(x0)``,
    which `activation_point` computes with convlib.numpy. For the input
    N(mean, std**2) set below, a histogram of the outputs and a table of
    their mean, variance, RMS slope and the gradient's factor per layer
    and through L layers, which `activation_distribution` computes (the
    browser computes the same numbers, no kernel needed). Arguments as
    `explorer_config`.

    Returns
    -------
    ActivationExplorer
        A widget; ``config`` holds the functions and starting settings.
    """
    return ActivationExplorer(
        config=explorer_config(functions, point, **settings))
