"""dropout and dropout2d in convlib.numpy, convlib.naive, convlib.torch.

torch's random numbers cannot be reproduced, so parity is: with torch's
own mask (read off a seeded ``F.dropout`` call) every form gives torch's
output and gradient; plus statistics of the draws (the fraction dropped
is p and the mean is kept, within 5 binomial standard deviations; whole
channels for dropout2d), the identities at p = 0, p = 1 and in
evaluation mode, and reproducibility from a seeded generator.
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from functools import partial
from hypothesis import given, strategies as st

import convlib.naive as V
import convlib.numpy as N
import convlib.torch as ct
from _compare import compare_with_torch

PROBABILITIES = [0.0, 0.1, 0.5, 0.9, 1.0]
pytestmark = pytest.mark.filterwarnings(
    "ignore:dropout2d. Received a 3D:UserWarning")


def _nonzero(rng, shape):
    """Normal values, none zero, so the mask can be read off torch's
    output."""
    x = rng.standard_normal(shape)
    return np.where(x == 0, 1.0, x)


def _torch_twin(name, seed):
    """torch's op, seeded the same way on every call."""
    def twin(x, p, training):
        torch.manual_seed(seed)
        return getattr(F, name)(x, p, training)
    return twin


def _torch_mask(name, x, p, training, seed):
    """The keep mask torch draws for this seed: 1 where its output is
    not zero (per channel for dropout2d)."""
    with torch.no_grad():
        out = _torch_twin(name, seed)(torch.from_numpy(x), p, training)
    keep = (out != 0).numpy().astype(np.float64)
    if name == "dropout2d":
        keep = keep.reshape(x.shape[:2] + (-1,)).max(axis=2)
        keep = keep.reshape(x.shape[:2] + (1,) * (x.ndim - 2))
    return keep


@st.composite
def dropout_case(draw, name):
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    if name == "dropout":
        shape = tuple(draw(st.integers(1, 5))
                      for _ in range(draw(st.integers(1, 4))))
    else:
        shape = tuple(draw(st.integers(1, 4))
                      for _ in range(draw(st.sampled_from([3, 4]))))
    return (_nonzero(rng, shape), draw(st.sampled_from(PROBABILITIES)),
            draw(st.booleans()), draw(st.integers(0, 10 ** 6)))


@pytest.mark.parametrize("form", ["numpy", "naive"])
@pytest.mark.parametrize("name", ["dropout", "dropout2d"])
@given(data=st.data())
def test_torchs_mask_gives_torchs_output_and_gradient(name, form, data):
    x, p, training, seed = data.draw(dropout_case(name))
    mask = _torch_mask(name, x, p, training, seed)
    module = {"numpy": N, "naive": V}[form]
    backward = getattr(module, name + "_backward", None)
    compare_with_torch(
        partial(getattr(module, name), mask=mask), _torch_twin(name, seed),
        [x], dict(p=p, training=training),
        backward=backward and partial(backward, mask=mask))


@pytest.mark.parametrize("name", ["dropout", "dropout2d"])
@given(data=st.data())
def test_torch_form_with_torchs_mask(name, data):
    x, p, training, seed = data.draw(dropout_case(name))
    mask = torch.from_numpy(_torch_mask(name, x, p, training, seed))
    mine = torch.tensor(x, requires_grad=True)
    gold = torch.tensor(x, requires_grad=True)
    out = getattr(ct, name)(mine, p, training, mask=mask)
    want = _torch_twin(name, seed)(gold, p, training)
    torch.testing.assert_close(out, want, rtol=1e-12, atol=0)
    grad = torch.randn(x.shape, dtype=torch.float64)
    out.backward(grad)
    want.backward(grad)
    torch.testing.assert_close(mine.grad, gold.grad, rtol=1e-12, atol=0)


# ----------------------------------------------------------- statistics

def _numpy_draw(name, x, p, seed):
    return getattr(N, name)(x, p, generator=np.random.default_rng(seed))


def _torch_draw(name, x, p, seed):
    gen = torch.Generator().manual_seed(seed)
    return getattr(ct, name)(torch.from_numpy(x), p,
                             generator=gen).numpy()


DRAWS = {"numpy": _numpy_draw, "torch": _torch_draw}


def _within(value, expected, sd, what):
    assert abs(value - expected) <= 5 * sd, (
        f"{what}: {value} is more than 5 sd ({sd:.2g}) from {expected}")


@pytest.mark.parametrize("form", DRAWS)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_drops_p_and_keeps_the_mean(form, p):
    n = 100_000
    out = DRAWS[form]("dropout", np.ones(n), p, seed=3)
    dropped = np.mean(out == 0)
    _within(dropped, p, np.sqrt(p * (1 - p) / n), "fraction dropped")
    _within(out.mean(), 1.0, np.sqrt(p / ((1 - p) * n)), "mean")
    np.testing.assert_allclose(out[out != 0], 1 / (1 - p), rtol=1e-15)


@pytest.mark.parametrize("form", DRAWS)
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout2d_drops_whole_channels(form, p):
    x = np.ones((50, 40, 4, 3))
    out = DRAWS[form]("dropout2d", x, p, seed=5)
    per_channel = out.reshape(50, 40, -1)
    dropped = (per_channel == 0).all(axis=2)
    kept = (per_channel == 1 / (1 - p)).all(axis=2)
    assert (dropped | kept).all()  # never part of a channel
    _within(dropped.mean(), p, np.sqrt(p * (1 - p) / dropped.size),
            "fraction of channels dropped")


@pytest.mark.parametrize("form", ["numpy", "naive", "torch"])
@pytest.mark.parametrize("name", ["dropout", "dropout2d"])
def test_identities_at_p0_p1_and_in_evaluation(form, name):
    x = np.random.default_rng(1).standard_normal((3, 4, 5, 2))
    module = {"numpy": N, "naive": V, "torch": ct}[form]
    fn = getattr(module, name)
    arg = torch.from_numpy(x) if form == "torch" else x

    def call(**kw):
        out = fn(arg, **kw)
        return out.numpy() if form == "torch" else out
    np.testing.assert_array_equal(call(p=0.0), x)
    np.testing.assert_array_equal(call(p=1.0), np.zeros_like(x))
    np.testing.assert_array_equal(call(p=0.7, training=False), x)
    backward = getattr(module, name + "_backward", None)
    if backward is not None:
        g = np.arange(x.size, dtype=float).reshape(x.shape)
        np.testing.assert_array_equal(
            backward(g, x, p=0.7, training=False), g)
        np.testing.assert_array_equal(backward(g, x, p=1.0, mask=np.ones(
            (3, 4, 1, 1) if name == "dropout2d" else x.shape)), 0 * g)


# ------------------------------------------------------ reproducibility

@pytest.mark.parametrize("name", ["dropout", "dropout2d"])
def test_generator_makes_a_call_reproducible(name):
    x = _nonzero(np.random.default_rng(2), (4, 6, 3, 3))
    first = _numpy_draw(name, x, 0.5, seed=7)
    assert np.array_equal(first, _numpy_draw(name, x, 0.5, seed=7))
    assert not np.array_equal(first, _numpy_draw(name, x, 0.5, seed=8))
    # the naive loops draw the same mask from the same generator
    naive = getattr(V, name)(x, 0.5, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(naive, first)
    # the backward redraws it from a generator in the forward's state
    grad = getattr(N, name + "_backward")(
        np.ones_like(x), x, 0.5, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(grad * x, first)
    again = [_torch_draw(name, x, 0.5, seed=7) for _ in range(2)]
    assert np.array_equal(*again)
    assert not np.array_equal(again[0], _torch_draw(name, x, 0.5, 9))


def test_backward_needs_the_forwards_mask():
    with pytest.raises(ValueError, match="^dropout_backward: training="
                                         "True needs the forward's mask"):
        N.dropout_backward(np.ones(3), np.ones(3), 0.5)


def test_mask_must_be_zeros_and_ones():
    for form, x, mask in [(N, np.ones(3), np.array([1, 0.5, 0])),
                          (ct, torch.ones(3), torch.tensor([1, 2.0, 0]))]:
        with pytest.raises(ValueError, match="^dropout: mask must hold"):
            form.dropout(x, mask=mask)


def test_torch_inplace_writes_into_the_input():
    x = torch.ones(6, dtype=torch.float64)
    mask = torch.tensor([1.0, 0, 1, 0, 1, 1])
    out = ct.dropout(x, 0.5, inplace=True, mask=mask)
    assert out is x and torch.equal(x, 2 * mask.double())
    leaf = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="^dropout: inplace"):
        ct.dropout(leaf, inplace=True)


def test_dropout2d_3d_input_is_read_as_n_c_l_as_torch():
    """torch 2.13 reads a 3-d input as (N, C, L) (and warns it will
    change); the mask is then one per (n, c)."""
    x = np.ones((2, 3, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        theirs = F.dropout2d(torch.from_numpy(x), 0.5).numpy()
    assert ((theirs == 0).all(axis=2) | (theirs != 0).all(axis=2)).all()
    ours = N.dropout2d(x, 0.5, mask=(theirs[..., :1] != 0))
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["dropout", "dropout2d"])
def test_float32_stays_float32(name):
    x = np.ones((2, 3, 4, 4), dtype=np.float32)
    out = getattr(N, name)(x, 0.25, generator=np.random.default_rng(0))
    grad = getattr(N, name + "_backward")(
        x, x, 0.25, generator=np.random.default_rng(0))
    assert out.dtype == grad.dtype == np.float32
    np.testing.assert_array_equal(out, grad)
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}


@pytest.mark.parametrize("name", ["dropout", "dropout2d"])
@pytest.mark.parametrize("training", [True, False])
def test_numpy_inplace_writes_the_input_as_torch_does(name, training):
    x = _nonzero(np.random.default_rng(4), (2, 3, 4, 4))
    t = torch.from_numpy(x.copy())
    torch.manual_seed(0)
    theirs = getattr(F, name)(t, 0.5, training, inplace=True)
    mask = _torch_mask(name, x, 0.5, training, seed=0)
    ours = getattr(N, name)(x, 0.5, training, inplace=True, mask=mask)
    assert theirs is t and ours is x
    np.testing.assert_allclose(x, t.numpy(), rtol=1e-15)
    before = x.copy()
    assert getattr(N, name)(x, 0.5, training, mask=mask) is not x
    np.testing.assert_array_equal(x, before)


def test_numpy_inplace_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="^dropout: inplace=True needs "
                                        "input to be a NumPy array"):
        N.dropout([1.0, 2.0], inplace=True)
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="^dropout: inplace=True needs a "
                                         "writeable input"):
        N.dropout(frozen, inplace=True)


@pytest.mark.parametrize("module, x, kind", [
    (N, np.ones(3), "numpy.random.Generator"),
    (V, np.ones(3), "numpy.random.Generator"),
    (ct, torch.ones(3), "torch.Generator")])
def test_each_form_names_its_generator_type(module, x, kind):
    """Each form draws with its own library's generator (so this is
    not in the shared bad-input table, whose forms word alike)."""
    for name in ("dropout", "dropout2d"):
        with pytest.raises(TypeError, match=f"^{name}: generator must be "
                                            f"a {kind} or None"):
            getattr(module, name)(x.reshape(1, 3, 1), generator=3)
