"""Cases for 07_activations: sigmoid (stable), derivatives, Leaky ReLU,
ELU, softmax (stable), cross-entropy over logits and its gradient.

Hidden cases beyond the public ones: other shapes, exact zeros (where
a derivative's rule at 0 matters), exact ties, rows of very large or
small values, +-1000 (no overflow allowed), other slopes and alphas
(a Leaky ReLU slope above 1 included) and softmax along every axis.
"""
import numpy as np

from convlib import numpy as cnp

from . import Case, Function, integer, like, redrawn, values

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("sigmoid", points=2, seconds=1),
    Function("sigmoid_backward", points=2, seconds=1),
    Function("relu_backward", points=2, seconds=1),
    Function("leaky_relu", points=1, seconds=1),
    Function("elu", points=2, seconds=1),
    Function("elu_backward", points=2, seconds=1),
    Function("softmax", points=3, seconds=1),
    Function("cross_entropy", points=3, seconds=1),
    Function("cross_entropy_backward", points=3, seconds=1),
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


def _shape(rng, vary, shape):
    if not vary:
        return shape
    return tuple(integer(rng, 1, 5) for _ in shape)


def _inputs(rng, vary):
    """(name, x, hidden only) triples: random values, a grid through 0,
    exact zeros and ties, extreme rows."""
    found = []
    for shape, kind, hidden in [((3, 4), "random", False),
                                ((2, 2, 3), "random", False),
                                ((4, 5), "zeros", False),
                                ((5, 3), "ties", False),
                                ((3, 2, 4), "zeros", True),
                                ((4, 6), "extreme", False),
                                ((1, 7), "random", True)]:
        shape = _shape(rng, vary, shape)
        x = values(rng, shape, kind)
        if kind == "random":
            x = x * 3
        found.append((f"random {shape} ({kind})", x, hidden))
    found.insert(1, ("grid -5..5 with 0", _grid(rng, vary), False))
    return found


def _unary(rng, vary, function, reference, kwargs=(), extreme=True):
    result = []
    for number, kw in enumerate(kwargs or [{}]):
        # every setting in the self-check; its other inputs hidden only
        result += [Case(function, f"x = {name}" + "".join(
            f", {k}={v:g}" for k, v in kw.items()), (x,), dict(kw),
            reference=reference, hidden_only=bool(hidden or (number and i)))
            for i, (name, x, hidden) in enumerate(_inputs(rng, vary))]
    if extreme:
        kw = dict(kwargs[0]) if kwargs else {}
        result.append(Case(function, "x = +-1000 and other extremes "
                           "(no overflow allowed)", (_extremes(rng, vary),),
                           kw, reference=reference, strict=True))
    return result


def _backward(rng, vary, function, reference, kwargs=(), extreme=True):
    cases_ = _unary(rng, vary, function, None, kwargs, extreme)
    for case in cases_:
        x = case.args[0]
        case.args = (rng.standard_normal(x.shape), x)
        case.name = f"random grad_output, {case.name}"
        case.reference = reference
    return cases_


def _parameters(rng, vary, name, listed, low, high):
    """Settings of `name` (slope, alpha): the listed ones, or drawn."""
    if not vary:
        return [{name: v} for v in listed]
    return [{name: round(float(rng.uniform(low[i], high[i])), 3)}
            for i in range(len(listed))]


def _softmax_cases(rng, vary):
    base = rng.uniform(900, 1100) if vary else 1000.0
    big = np.array([[base, base + 1, base - 1], [-base, 0.0, base]])
    # a row far below the others: the global maximum leaves it all zeros
    apart = np.array([[base, base - 2, base + 3, base],
                      [-base, -base - 1, -base, -base + 2],
                      [1.0, 1.0, 1.0, 1.0]])
    settings = [((3, 5), -1, "random", False), ((4, 3), 0, "random", False),
                ((2, 3, 4), 1, "ties", False),
                ((2, 4, 3), 2, "extreme", False),
                ((3, 2, 2), 0, "zeros", False),
                ((1, 6), 1, "random", True), ((5, 1), -1, "ties", True)]
    result = []
    for shape, dim, kind, hidden in settings:
        shape = _shape(rng, vary, shape)
        dim = dim if not vary or dim == -1 else integer(rng, 0,
                                                         len(shape) - 1)
        result.append(Case("softmax", f"x {shape} ({kind}), dim={dim}",
                           (values(rng, shape, kind),), dict(dim=dim),
                           reference=cnp.softmax, hidden_only=hidden))
    result += [Case("softmax", "logits near +-1000 (no overflow allowed)",
                    (big,), dict(dim=-1), reference=cnp.softmax, strict=True),
               Case("softmax", "rows near +1000, near -1000 and equal, "
                    "dim=-1 (no overflow allowed)", (apart,), dict(dim=-1),
                    reference=cnp.softmax, strict=True, hidden_only=True),
               Case("softmax", "columns near +1000, near -1000 and equal, "
                    "dim=0 (no overflow allowed)", (apart.T.copy(),),
                    dict(dim=0), reference=cnp.softmax, strict=True)]
    return result


def _cross_entropy(logits, targets):
    log_probs = cnp.log_softmax(logits, dim=1)
    return float(-log_probs[np.arange(len(targets)), targets].mean())


def _cross_entropy_backward(logits, targets):
    grad = cnp.softmax(logits, dim=1)
    grad[np.arange(len(targets)), targets] -= 1
    return grad / len(targets)


# (batch N, classes K, kind of logits, strict, hidden only)
_LOSS = [(4, 5, "random", False, False), (1, 3, "ties", False, False),
         (3, 4, "extreme", True, False), (2, 1, "random", False, False),
         (5, 2, "zeros", False, False), (6, 10, "random", False, True),
         (2, 3, "extreme", True, True), (8, 3, "ties", False, True),
         (1, 7, "zeros", False, True), (7, 4, "extreme", True, True)]


def _loss_cases(rng, vary, function, reference):
    result = []
    for n, k, kind, strict, hidden in redrawn(
            _LOSS, rng, vary, lambda r, s: (like(r, s[0], 2, 9),
                                            like(r, s[1], 2, 12)) + s[2:]):
        logits = values(rng, (n, k), kind)
        if strict:   # rows far apart: one near +1000, one near -1000 ...
            logits = logits + rng.choice([-1000.0, 0.0, 1000.0], (n, 1))
        targets = rng.integers(0, k, n)
        result.append(Case(function, f"logits ({n}, {k}) ({kind}"
                           + (", rows near +-1000, no overflow allowed"
                              if strict else "") + f"), targets {n} ints",
                           (logits, targets), reference=reference,
                           strict=strict, hidden_only=hidden))
    return result


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the shapes,
    slopes, alphas and axes drawn anew from `rng` too)."""
    slopes = _parameters(rng, vary, "negative_slope", [0.2, 1.5, 0.01],
                         [0.05, 1.2, 0.001], [0.5, 3.0, 0.05])
    alphas = _parameters(rng, vary, "alpha", [1.5, 0.5],
                         [1.1, 0.2], [3.0, 0.9])
    return (_unary(rng, vary, "sigmoid", cnp.sigmoid)
            + _backward(rng, vary, "sigmoid_backward", cnp.sigmoid_backward)
            + _backward(rng, vary, "relu_backward", cnp.relu_backward,
                        extreme=False)
            + _unary(rng, vary, "leaky_relu", cnp.leaky_relu, slopes,
                     extreme=False)
            + _unary(rng, vary, "elu", cnp.elu, alphas)
            + _backward(rng, vary, "elu_backward", cnp.elu_backward,
                        alphas[::-1])
            + _softmax_cases(rng, vary)
            + _loss_cases(rng, vary, "cross_entropy", _cross_entropy)
            + _loss_cases(rng, vary, "cross_entropy_backward",
                          _cross_entropy_backward))
