"""Cases for 07_activations: sigmoid (stable), derivatives, Leaky ReLU,
ELU, softmax (stable)."""
import numpy as np

from convlib import numpy as cnp

from . import Case, Function

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("sigmoid", points=3, seconds=1),
    Function("sigmoid_backward", points=3, seconds=1),
    Function("relu_backward", points=2, seconds=1),
    Function("leaky_relu", points=2, seconds=1),
    Function("elu", points=3, seconds=1),
    Function("elu_backward", points=3, seconds=1),
    Function("softmax", points=4, seconds=1),
)

_EXTREME = np.array([-1000.0, -745.0, -30.0, -1e-9, 0.0, 1e-9, 30.0,
                     745.0, 1000.0])


def _grid(rng, vary):
    if not vary:
        return np.linspace(-5, 5, 11)
    return np.sort(np.append(rng.uniform(-5, 5, 10), 0.0))


def _extremes(rng, vary):
    """+-1000, the edge of exp's range (745), +-30, +-1e-9 and 0."""
    if not vary:
        return _EXTREME.copy()
    half = np.array([rng.uniform(1e-10, 1e-8), rng.uniform(20, 40),
                     rng.uniform(700, 760), rng.uniform(900, 1200)])
    return np.concatenate([-half[::-1], [0.0], half])


def _inputs(rng, vary):
    """(name, x) pairs: random values, a grid through 0, extremes."""
    return [("random (3, 4)", rng.standard_normal((3, 4)) * 3),
            ("grid -5..5 with 0", _grid(rng, vary)),
            ("random (2, 2, 3)", rng.standard_normal((2, 2, 3)))]


def _unary(rng, vary, function, reference, kwargs=None, extreme=True):
    kwargs = kwargs or {}
    result = [Case(function, f"x = {name}", (x,), dict(kwargs),
                   reference=reference) for name, x in _inputs(rng, vary)]
    if extreme:
        result.append(Case(function, "x = +-1000 and other extremes "
                           "(no overflow allowed)", (_extremes(rng, vary),),
                           dict(kwargs), reference=reference, strict=True))
    return result


def _backward(rng, vary, function, reference, kwargs=None, extreme=True):
    cases_ = _unary(rng, vary, function, None, kwargs, extreme)
    for case in cases_:
        x = case.args[0]
        case.args = (rng.standard_normal(x.shape), x)
        case.name = f"random grad_output, {case.name}"
        case.reference = reference
    return cases_


def _softmax_cases(rng, vary):
    base = rng.uniform(900, 1100) if vary else 1000.0
    big = np.array([[base, base + 1, base - 1], [-base, 0.0, base]])
    return [Case("softmax", "x random (3, 5), dim=-1",
                 (rng.standard_normal((3, 5)),), dict(dim=-1),
                 reference=cnp.softmax),
            Case("softmax", "x random (4, 3), dim=0",
                 (rng.standard_normal((4, 3)),), dict(dim=0),
                 reference=cnp.softmax),
            Case("softmax", "x random (2, 3, 4), dim=1",
                 (rng.standard_normal((2, 3, 4)),), dict(dim=1),
                 reference=cnp.softmax),
            Case("softmax", "logits near +-1000 (no overflow allowed)",
                 (big,), dict(dim=-1), reference=cnp.softmax, strict=True)]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    return (_unary(rng, vary, "sigmoid", cnp.sigmoid)
            + _backward(rng, vary, "sigmoid_backward", cnp.sigmoid_backward)
            + _backward(rng, vary, "relu_backward", cnp.relu_backward,
                        extreme=False)
            + _unary(rng, vary, "leaky_relu", cnp.leaky_relu,
                     dict(negative_slope=0.2), extreme=False)
            + _unary(rng, vary, "elu", cnp.elu, dict(alpha=1.5),
                     extreme=False)
            + _backward(rng, vary, "elu_backward", cnp.elu_backward,
                        dict(alpha=0.5), extreme=False)
            + _softmax_cases(rng, vary))
