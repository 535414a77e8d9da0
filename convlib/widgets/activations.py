"""Chapter 7 demo: the activation explorer.

The reader picks activation functions and their parameters (Leaky ReLU's
slope, RReLU's range, ELU's and CELU's alpha, Softplus's beta) and sees
the curves and their derivatives overlaid, with the value and the slope
at a point they move.

Behind the demo are plain functions computed with `convlib.numpy`:
`activation_samples` (curve and derivative on the demo's x grid) and
`activation_point` (value and slope at one x), over the bounded grid of
slider settings that `parameter_grid` lists. The page's JavaScript
(``activation_explorer.js``) evaluates the same formulas so that every
slider position answers at once; the tests hold its values equal to
these functions over the whole grid, forward and backward.
"""
import itertools
from collections import namedtuple

import numpy as np

from .. import numpy as cnp
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

SPECS = (
    Spec("sigmoid", "sigmoid", {}, ()),
    Spec("tanh", "tanh", {}, ()),
    Spec("relu", "relu", {}, ()),
    Spec("leaky_relu", "leaky_relu", {},
         (Param("negative_slope", 0.0, 1.0, 0.01, 0.1),)),
    Spec("rrelu", "rrelu", {"training": False},
         (Param("lower", 0.0, 0.5, 0.01, 0.12),
          Param("upper", 0.0, 0.5, 0.01, 0.33))),
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


def explorer_x():
    """The demo's x grid: -4 to 4 in steps of 0.05 (161 points)."""
    n = int(round((X_HI - X_LO) / X_STEP)) + 1
    return np.round(X_LO + X_STEP * np.arange(n), 10)


def _spec(name, fn):
    if not isinstance(name, str) or name not in _BY_NAME:
        raise ValueError(f"{fn}: name must be one of "
                         f"{', '.join(_BY_NAME)}; got {_describe(name)}")
    return _BY_NAME[name]


def _param_values(param):
    n = int(round((param.hi - param.lo) / param.step)) + 1
    return [round(param.lo + k * param.step, 10) for k in range(n)]


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

    Parameters are those of `activation_samples`, with `x` a number.
    """
    _, y, dy = activation_samples(name, np.array([float(x)]), **params)
    return float(y[0]), float(dy[0])


def explorer_config(functions=("relu", "leaky_relu", "elu"), point=-1.0,
                    **params):
    """The demo's config: functions, sliders, x grid and starting state.

    Parameters
    ----------
    functions : sequence of str
        The functions drawn at the start.
    point : float
        The starting point x0 (on the x grid).
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
    functions_cfg = [dict(
        name=s.name,
        params=[dict(field=p.field, lo=p.lo, hi=p.hi, step=p.step,
                     value=start.get(s.name, {}).get(p.field, p.default))
                for p in s.params]) for s in SPECS]
    return dict(functions=functions_cfg, selected=chosen,
                xs=xs.tolist(), point=float(point), step=X_STEP,
                threshold=SOFTPLUS_THRESHOLD)


class ActivationExplorer(Demo):
    """Activation explorer (see `activation_explorer`)."""

    name, script = "activation-explorer", "activation_explorer.js"
    namespace = "convlibActivationExplorer"
    _esm = Demo.module_for(script, namespace, name)

    def __repr__(self):
        return (f"ActivationExplorer(selected={self.config['selected']!r}, "
                f"point={self.config['point']!r})")


def activation_explorer(functions=("relu", "leaky_relu", "elu"),
                        point=-1.0, **params):
    """Activation explorer: curves, derivatives, value and slope at x0.

    Check boxes choose the functions drawn; sliders set their parameters
    and the point x0; the table gives ``f(x0)`` and ``f'(x0)``, which
    `activation_point` computes with convlib.numpy (the browser computes
    the same numbers, no kernel needed). Arguments as `explorer_config`.

    Returns
    -------
    ActivationExplorer
        A widget; ``config`` holds the functions and starting settings.
    """
    return ActivationExplorer(
        config=explorer_config(functions, point, **params))
