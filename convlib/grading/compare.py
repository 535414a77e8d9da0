"""Compare a student's answer with the expected one; explain a mismatch.

Used by the grader (on values decoded from the child) and by `check`
(on values computed in the student's own kernel). `compare` returns
None when the answer is right, else a short message for the student:
which part differs, expected vs got, shapes, the largest error.
"""
import numbers

import numpy as np


def _kind(value):
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, (tuple, list)):
        return "sequence"
    return type(value).__name__


def _short(value, limit=120):
    text = np.array2string(np.asarray(value), precision=4,
                           threshold=12, edgeitems=2)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _compare_arrays(expected, got, rtol, atol, where, reveal):
    if not isinstance(got, (np.ndarray, list, tuple, numbers.Number)):
        return (f"{where}expected an array of shape {expected.shape}, "
                f"got {type(got).__name__}")
    try:
        got = np.asarray(got)
    except Exception:  # ragged nested lists
        return f"{where}expected an array, got {_short(got)}"
    if got.dtype.kind not in "biuf":
        return f"{where}expected numbers, got an array of {got.dtype}"
    if got.shape != expected.shape:
        return (f"{where}expected shape {expected.shape}, "
                f"got shape {got.shape}")
    if expected.dtype.kind in "biu":
        bad = got != expected
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            bad = ~np.isclose(got, expected, rtol=rtol, atol=atol,
                              equal_nan=True)
    return _differences(expected, got, bad, where, reveal) if (
        bad.any()) else None


def _differences(expected, got, bad, where, reveal):
    """Message for arrays that differ where `bad` is true."""
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got.astype(float) - expected.astype(float))
    worst = np.nanmax(np.where(bad, error, 0))
    text = f"{where}{int(bad.sum())} of {bad.size} values differ; "
    if not reveal:
        return (f"{text}first at index {index}: got {got[index]!r} "
                f"(largest error {worst:.3g}); got {_short(got)}")
    return (f"{text}first at index {index}: expected {expected[index]!r}, "
            f"got {got[index]!r} (largest error {worst:.3g}); "
            f"expected {_short(expected)}, got {_short(got)}")


def _compare_sequences(expected, got, rtol, atol, where, reveal):
    if _kind(got) != "sequence":
        return (f"{where}expected a {type(expected).__name__} of "
                f"{len(expected)} items, got {_kind(got)} {_short(got)}")
    if len(got) != len(expected):
        return (f"{where}expected {len(expected)} items, "
                f"got {len(got)}: {_short(got)}")
    for i, (e, g) in enumerate(zip(expected, got)):
        message = compare(e, g, rtol, atol, f"{where}item {i}: ", reveal)
        if message:
            return message
    return None


def compare(expected, got, rtol=1e-6, atol=1e-8, where="", reveal=True):
    """None if `got` matches `expected`, else a message saying how not.

    Arrays must match in shape and (within `rtol`/`atol`) in value;
    integer arrays exactly. Numbers compare with the same tolerance,
    ints and bools exactly. Tuples and lists compare item by item.
    With `reveal` false, the message shows no expected value (shapes,
    lengths and kinds only).
    """
    kind = _kind(expected)
    if kind == "array":
        return _compare_arrays(expected, got, rtol, atol, where, reveal)
    if kind == "sequence":
        return _compare_sequences(expected, got, rtol, atol, where, reveal)
    wanted = f"expected {expected!r}, " if reveal else "wrong answer: "
    if kind == "bool":
        if _kind(got) != "bool" or bool(got) != bool(expected):
            wanted = f"expected {bool(expected)}, " if reveal else wanted
            return f"{where}{wanted}got {_short(got)}"
        return None
    if kind == "number":
        if _kind(got) not in ("number", "bool") and not (
                _kind(got) == "array" and np.ndim(got) == 0):
            return f"{where}expected a number, got {_kind(got)}"
        if isinstance(expected, numbers.Integral):
            ok = float(got) == expected
        else:
            ok = np.isclose(float(got), expected, rtol=rtol, atol=atol)
        return None if ok else f"{where}{wanted}got {got!r}"
    return None if got == expected else f"{where}{wanted}got {got!r}"
