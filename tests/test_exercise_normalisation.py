"""Exercise set 9: the solutions pass every case, the usual bugs do not.

Each buggy solution is written as a student would err (biased running
variance, running statistics not updated or not used, the momentum the
other way round, 2-D batch norm over the wrong axes, a backward pass
without the paths through the statistics, dropout without its scaling
or scaling in evaluation, a residual block without its identity path);
each must fail at least one hidden case, with the package's seed and
with an instructor's redrawn settings, while the reference solution
passes them all.
"""
import nbformat
import numpy as np
import pytest

from convlib.grading import hidden, release

EXERCISE = "09_normalisation"


def _solutions():
    nb = nbformat.read(release.SOURCE_DIR / f"{EXERCISE}.ipynb", 4)
    namespace = {"np": np}
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            exec(release.solution_code(cell.source), namespace)
    return namespace


SOLUTIONS = _solutions()


def _suites():
    return [hidden.build(EXERCISE),
            hidden.build(EXERCISE, seed=12345)]


def _failures(function, name):
    failed = 0
    for suite in _suites():
        for case in suite:
            if case.function != name:
                continue
            try:
                got = function(*case.args, **case.kwargs)
            except Exception:  # noqa: BLE001 - a crash is a failed case
                failed += 1
                continue
            failed += case.judge(got) is not None
    return failed


@pytest.mark.parametrize("name", hidden.functions(EXERCISE))
def test_the_solution_passes_every_case(name):
    assert _failures(SOLUTIONS[name], name) == 0


def _axes(x):
    return (0,) + tuple(range(2, x.ndim))


def _shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def _bn(x, gamma, beta, mean, var, eps):
    s = _shape(x)
    return gamma.reshape(s) * (x - mean.reshape(s)) / np.sqrt(
        var.reshape(s) + eps) + beta.reshape(s)


def bn_biased_running_var(x, gamma, beta, rm, rv, training, momentum=0.1,
                          eps=1e-5):
    if not training:
        return _bn(x, gamma, beta, rm, rv, eps), rm, rv
    mean, var = x.mean(axis=_axes(x)), x.var(axis=_axes(x))
    return (_bn(x, gamma, beta, mean, var, eps),
            (1 - momentum) * rm + momentum * mean,
            (1 - momentum) * rv + momentum * var)


def bn_no_running_update(x, gamma, beta, rm, rv, training, momentum=0.1,
                         eps=1e-5):
    if not training:
        return _bn(x, gamma, beta, rm, rv, eps), rm, rv
    mean, var = x.mean(axis=_axes(x)), x.var(axis=_axes(x))
    return _bn(x, gamma, beta, mean, var, eps), rm, rv


def bn_batch_stats_in_eval(x, gamma, beta, rm, rv, training, momentum=0.1,
                           eps=1e-5):
    y, new_mean, new_var = SOLUTIONS["batch_norm"](
        x, gamma, beta, rm, rv, True, momentum, eps)
    return (y, new_mean, new_var) if training else (y, rm, rv)


def bn_momentum_swapped(x, gamma, beta, rm, rv, training, momentum=0.1,
                        eps=1e-5):
    return SOLUTIONS["batch_norm"](x, gamma, beta, rm, rv, training,
                                   1 - momentum, eps)


def bn_wrong_axes(x, gamma, beta, rm, rv, training, momentum=0.1,
                  eps=1e-5):
    # averages over the batch only, per channel and position
    if not training:
        return _bn(x, gamma, beta, rm, rv, eps), rm, rv
    mean, var = x.mean(axis=0), x.var(axis=0)
    y = (x - mean) / np.sqrt(var + eps)
    y = gamma.reshape(_shape(x)) * y + beta.reshape(_shape(x))
    n = x.shape[0]
    m_c, v_c = mean.reshape(x.shape[1], -1).mean(1), \
        var.reshape(x.shape[1], -1).mean(1)
    return (y, (1 - momentum) * rm + momentum * m_c,
            (1 - momentum) * rv + momentum * v_c * n / (n - 1))


def bn_unbiased_normalisation(x, gamma, beta, rm, rv, training,
                              momentum=0.1, eps=1e-5):
    y, new_mean, new_var = SOLUTIONS["batch_norm"](
        x, gamma, beta, rm, rv, training, momentum, eps)
    if training:
        var = x.var(axis=_axes(x), ddof=1)
        y = _bn(x, gamma, beta, x.mean(axis=_axes(x)), var, eps)
    return y, new_mean, new_var


def bnb_direct_path_only(g, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = SOLUTIONS["batch_norm_backward"](g, x, gamma, eps)
    s = np.sqrt(x.var(axis=_axes(x), keepdims=True) + eps)
    return gamma.reshape(_shape(x)) * g / s, dgamma, dbeta


def bnb_no_variance_path(g, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = SOLUTIONS["batch_norm_backward"](g, x, gamma, eps)
    s = np.sqrt(x.var(axis=_axes(x), keepdims=True) + eps)
    gs = gamma.reshape(_shape(x)) * g
    return (gs - gs.mean(axis=_axes(x), keepdims=True)) / s, dgamma, dbeta


def dropout_unscaled(x, p, mask, training=True):
    return x * mask if training else x


def dropout_scaled_in_eval(x, p, mask, training=True):
    return x * mask / (1 - p) if training else x * (1 - p)


def dropout_backward_unscaled(g, p, mask):
    return g * mask


def dropout_backward_by_p(g, p, mask):
    return g * mask / p


def block_without_identity(x, w1, w2):
    return np.maximum(np.maximum(x @ w1.T, 0) @ w2.T, 0)


def block_relu_before_add(x, w1, w2):
    return x + np.maximum(np.maximum(x @ w1.T, 0) @ w2.T, 0)


def blockb_no_identity_grad(g, x, w1, w2):
    dx, dw1, dw2 = SOLUTIONS["residual_block_backward"](g, x, w1, w2)
    pre2 = x + np.maximum(x @ w1.T, 0) @ w2.T
    return dx - g * (pre2 > 0), dw1, dw2


def blockb_ignores_last_relu(g, x, w1, w2):
    pre1 = x @ w1.T
    h = np.maximum(pre1, 0)
    g1 = (g @ w2) * (pre1 > 0)
    return g + g1 @ w1, g1.T @ x, g.T @ h


BUGS = [
    ("batch_norm", bn_biased_running_var),
    ("batch_norm", bn_no_running_update),
    ("batch_norm", bn_batch_stats_in_eval),
    ("batch_norm", bn_momentum_swapped),
    ("batch_norm", bn_wrong_axes),
    ("batch_norm", bn_unbiased_normalisation),
    ("batch_norm_backward", bnb_direct_path_only),
    ("batch_norm_backward", bnb_no_variance_path),
    ("dropout", dropout_unscaled),
    ("dropout", dropout_scaled_in_eval),
    ("dropout_backward", dropout_backward_unscaled),
    ("dropout_backward", dropout_backward_by_p),
    ("residual_block", block_without_identity),
    ("residual_block", block_relu_before_add),
    ("residual_block_backward", blockb_no_identity_grad),
    ("residual_block_backward", blockb_ignores_last_relu),
]


@pytest.mark.parametrize("name, bug", BUGS, ids=[b.__name__ for _, b in BUGS])
def test_a_usual_bug_loses_points(name, bug):
    assert _failures(bug, name) > 0


def test_every_function_has_two_bugs_in_the_corpus():
    for name in hidden.functions(EXERCISE):
        assert sum(n == name for n, _ in BUGS) >= 2, name
