"""One helper that compares a convlib op with its torch twin.

Every op test calls `compare_with_torch`: it runs the torch function on
the same inputs (float64 by default), back-propagates a random
`grad_output`, and checks convlib's forward values and its `*_backward`
gradients against torch's.
"""
import numpy as np
import torch

TOLERANCES = {
    np.float64: dict(rtol=1e-9, atol=1e-10),
    np.float32: dict(rtol=1e-4, atol=1e-5),
}


def _to_tensor(array, differentiable=True):
    if array is None:
        return None
    tensor = torch.from_numpy(np.array(array))
    if tensor.is_floating_point() and differentiable:
        tensor.requires_grad_(True)
    return tensor


def _cast(array, dtype):
    """Float arrays to `dtype`; integer arrays (indices) unchanged."""
    if array is None:
        return None
    array = np.asarray(array)
    return array if array.dtype.kind in "iub" else array.astype(dtype)


def _first(output):
    return output[0] if isinstance(output, tuple) else output


def compare_with_torch(forward, torch_forward, arrays, kwargs=None,
                       backward=None, dtype=np.float64, seed=0,
                       tolerance=None, constant=()):
    """Check `forward(*arrays, **kwargs)` and its backward against torch.

    Parameters
    ----------
    forward : callable
        The convlib op, e.g. ``convlib.numpy.conv2d``.
    torch_forward : callable
        Its twin, e.g. ``torch.nn.functional.conv2d``.
    arrays : list of ndarray or None
        The array arguments in order (None for a missing bias).
    kwargs : dict
        The other arguments, passed to both functions.
    backward : callable, optional
        ``forward``'s backward; when given its gradients are compared
        with torch's for every array argument.
    dtype : numpy dtype
        float64 (tight tolerance) or float32.
    constant : tuple of int
        Indices of array arguments torch does not differentiate (batch
        norm's running statistics): given to torch without
        requires_grad, and their gradient from `backward` must be None.

    Returns
    -------
    ndarray
        convlib's forward output, for further checks.
    """
    kwargs = dict(kwargs or {})
    tol = tolerance or TOLERANCES[np.dtype(dtype).type]
    arrays = [_cast(a, dtype) for a in arrays]
    ours = forward(*arrays, **kwargs)
    tensors = [_to_tensor(a, i not in constant)
               for i, a in enumerate(arrays)]
    theirs = torch_forward(*tensors, **kwargs)
    _assert_close(ours, theirs, tol, "forward")
    if backward is None:
        return ours
    out = _first(theirs)
    grad_output = np.random.default_rng(seed).standard_normal(
        tuple(out.shape)).astype(dtype)
    out.backward(torch.from_numpy(grad_output))
    grads = backward(grad_output, *arrays, **kwargs)
    if not isinstance(grads, tuple):
        grads = (grads,)
    expected = [None if t is None else t.grad for t in tensors]
    assert len(grads) == len(arrays), (
        f"backward returned {len(grads)} gradients for "
        f"{len(arrays)} array arguments")
    for i, (got, want) in enumerate(zip(grads, expected)):
        if (arrays[i] is None or arrays[i].dtype.kind != "f"
                or i in constant):
            assert got is None, f"gradient {i} should be None"
            continue
        if want is None:
            want = torch.zeros(arrays[i].shape, dtype=torch.float64)
        _assert_close(got, want, tol, f"gradient of argument {i}")
    return ours


def _assert_close(ours, theirs, tol, what):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (
            f"{what}: expected a tuple of {len(theirs)}, got {type(ours)}")
        for o, t in zip(ours, theirs):
            _assert_close(o, t, tol, what)
        return
    theirs = theirs.detach().numpy()
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, (
        f"{what}: shape {ours.shape} != torch's {theirs.shape}")
    if theirs.dtype.kind in "iu":
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
    else:
        np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)
