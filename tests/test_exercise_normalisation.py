"""Exercise set 9: the hidden cases' answers are PyTorch's.

The set's answers are built from convlib (batch norm, its backward pass)
or assembled from its pieces (the residual block and its backward pass):
here they meet torch's, with the package's seed and an instructor's
redrawn settings. The set's buggy solutions, and the checks that each
loses points while the reference scores full marks, are in the shared
corpus (`tests/grading_bugs.py`, `tests/test_grading_bugs.py`).
"""
import numpy as np
import pytest

from convlib.grading import hidden

torch = pytest.importorskip("torch")
F = torch.nn.functional

EXERCISE = "09_normalisation"
SEEDS = (None, 12345)


def _cases(function):
    found = [c for seed in SEEDS for c in hidden.build(EXERCISE, seed=seed)
             if c.function == function]
    assert found
    return found


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


def test_batch_norm_answers_are_pytorchs():
    """y and the running statistics after one call, in training (with
    the case's momentum) and evaluation."""
    for case in _cases("batch_norm"):
        x, gamma, beta, mean, var, training = case.args
        momentum = case.kwargs.get("momentum", 0.1)
        running = torch.tensor(mean), torch.tensor(var)
        y = F.batch_norm(torch.tensor(x), *running, torch.tensor(gamma),
                         torch.tensor(beta), training=training,
                         momentum=momentum, eps=1e-5)
        for got, want in zip(case.expected, (y, *running)):
            _close(got, want.numpy())


def test_batch_norm_backward_answers_are_autograds():
    for case in _cases("batch_norm_backward"):
        grad_output, x, gamma = case.args
        x_t = torch.tensor(x, requires_grad=True)
        gamma_t = torch.tensor(gamma, requires_grad=True)
        beta_t = torch.zeros_like(gamma_t, requires_grad=True)
        y = F.batch_norm(x_t, None, None, gamma_t, beta_t, training=True,
                         eps=1e-5)
        y.backward(torch.tensor(grad_output))
        for got, want in zip(case.expected, (x_t, gamma_t, beta_t)):
            _close(got, want.grad.numpy())


def _block(x, w1, w2):
    return F.relu(x + F.relu(x @ w1.T) @ w2.T)


def test_residual_block_answers_are_torchs():
    for case in _cases("residual_block"):
        _close(case.expected,
               _block(*map(torch.tensor, case.args)).numpy())


def test_residual_block_backward_answers_are_autograds():
    """autograd's ReLU has slope 0 at 0, as the set asks: the cases with
    a row of zeros meet it there."""
    for case in _cases("residual_block_backward"):
        grad_output, *inputs = case.args
        leaves = [torch.tensor(a, requires_grad=True) for a in inputs]
        _block(*leaves).backward(torch.tensor(grad_output))
        for got, leaf in zip(case.expected, leaves):
            _close(got, leaf.grad.numpy())


def test_dropout_answers_scale_the_kept_values():
    """dropout's answers: x * mask / (1 - p) in training (the expected
    value is x), x itself in evaluation; the backward pass the same
    scaling of grad_output."""
    for case in _cases("dropout") + _cases("dropout_backward"):
        x, p, mask = case.args
        scaled = x * mask / (1 - p)
        _close(case.expected, scaled if case.kwargs.get("training", True)
               else x)
