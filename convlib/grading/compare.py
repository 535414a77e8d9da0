"""Compare a student's answer with the expected one; explain a mismatch.

Used by the grader (on values decoded from the child) and by `check`
(on values computed in the student's own kernel). `compare` returns
None when the answer is right, else a short message for the student:
which part differs, expected vs got as plain numbers, shapes, the
largest error, and for arrays a small 2-D slice of both around the
first difference. It never raises, whatever it is given (ragged lists,
huge integers, objects of any type).

A float32 (or float16) answer is accepted when it matches within what
float32 arithmetic allows; `precision_note` says so.
"""
import math
import numbers

import numpy as np

WINDOW = 5          # rows and columns of the slice shown around a mismatch
_LOW_PRECISION = ("float16", "float32")


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


def number(value, digits=6):
    """A number as plain text: 3, -0.25, 1.5e-09, nan (never np.float64)."""
    try:
        if isinstance(value, (bool, np.bool_)):
            return str(bool(value))
        if isinstance(value, numbers.Integral):
            text = str(int(value))
            return text if len(text) <= 30 else f"an int of {len(text)} digits"
        if isinstance(value, numbers.Complex) and not isinstance(
                value, numbers.Real):
            return str(complex(value))
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return _short(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{value:.{digits}g}"


def _pair(expected, got):
    """The two numbers with just enough digits to tell them apart."""
    for digits in (6, 9, 12, 17):
        left, right = number(expected, digits), number(got, digits)
        if left != right:
            break
    return left, right


def _short(value, limit=120):
    """A one-line picture of any value, at most `limit` characters."""
    try:
        if isinstance(value, (np.ndarray, list, tuple)):
            text = np.array2string(np.asarray(value), precision=4,
                                   threshold=12, edgeitems=2)
        else:
            text = repr(value)
    except Exception:  # noqa: BLE001 - ragged lists, odd objects
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 - a __repr__ that raises
            text = f"a {type(value).__name__}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(value):
    """'a list of 2 items', 'NoneType', 'str': what the student gave."""
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return type(value).__name__


def _as_array(got, where, expected):
    """(array, None) or (None, message) for an answer that should be an
    array."""
    if not isinstance(got, (np.ndarray, list, tuple, numbers.Number)):
        return None, (f"{where}expected an array of shape {expected.shape},"
                      f" got {_describe(got)}")
    try:
        array = np.asarray(got)
    except Exception:  # noqa: BLE001 - ragged nested lists
        return None, (f"{where}expected an array of shape {expected.shape}, "
                      f"got {_describe(got)} that is not rectangular "
                      f"(rows of different lengths): {_short(got)}")
    if array.dtype.kind not in "biuf":
        return None, (f"{where}expected numbers, got an array of "
                      f"{array.dtype} ({_short(got)})")
    return array, None


def _float32_close(expected, got):
    scale = float(np.nanmax(np.abs(expected))) if expected.size else 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        return np.isclose(got.astype(float), expected, rtol=1e-4,
                          atol=1e-5 * max(1.0, scale), equal_nan=True)


def _compare_arrays(expected, got, rtol, atol, where, reveal):
    got, problem = _as_array(got, where, expected)
    if problem:
        return problem
    if got.shape != expected.shape:
        return (f"{where}expected shape {expected.shape}, "
                f"got shape {got.shape}")
    if expected.dtype.kind in "biu":
        bad = got != expected
    elif got.dtype.name in _LOW_PRECISION:
        bad = ~_float32_close(expected, got)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            bad = ~np.isclose(got, expected, rtol=rtol, atol=atol,
                              equal_nan=True)
    if not bad.any():
        return None
    message = _differences(expected, got, bad, where, reveal)
    if got.dtype.name in _LOW_PRECISION:
        message += (f"\nyour result is {got.dtype.name}: even allowing for "
                    "its rounding it differs (float64 inputs should give "
                    "float64)")
    return message


def _window(index, shape):
    """Slices of the last two axes (or the only one) around `index`."""
    parts = []
    for i, n in zip(index[-2:], shape[-2:]):
        start = max(0, min(i - WINDOW // 2, n - WINDOW))
        parts.append(slice(start, min(n, start + WINDOW)))
    return tuple(parts)


def _grid(values, bad, rows, cols):
    """Lines of a small table; '*' follows each differing value. Row
    numbers on the left (none for a 1-D slice), column numbers on top."""
    header = "      " + "".join(f"{c:>9} " for c in range(cols.start,
                                                             cols.stop))
    lines = [header.rstrip()]
    for r in range(values.shape[0]):
        cells = "".join(f"{number(v, 4):>9}{'*' if b else ' '}"
                        for v, b in zip(values[r], bad[r]))
        label = "" if rows is None else rows.start + r
        lines.append(f"  {label:>3} {cells}".rstrip())
    return lines


def _slice_picture(expected, got, bad, index, reveal):
    """Expected and got around `index`, on the last two axes."""
    if got.ndim == 0:
        return []
    window = _window(index, got.shape)
    lead = index[:-2] if got.ndim >= 2 else ()
    rows, cols = window if got.ndim >= 2 else (None, window[0])
    shown = ", ".join([str(i) for i in lead] + [
        f"{s.start}:{s.stop}" for s in window])

    def part(array):
        block = array[lead + window] if got.ndim >= 2 else \
            array[window][None, :]
        return block
    bad_block = part(bad)
    lines = [f"around it, [{shown}] ('*' marks values that differ):"]
    if reveal:
        lines += ["expected:"] + _grid(part(expected), bad_block, rows, cols)
    lines += ["got:"] + _grid(part(got), bad_block, rows, cols)
    return lines


def _differences(expected, got, bad, where, reveal):
    """Message for arrays that differ where `bad` is true."""
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got.astype(float) - expected.astype(float))
    finite = np.where(bad & np.isfinite(error), error, 0)
    worst = float(finite.max()) if finite.size else 0.0
    unequal = int((bad & ~np.isfinite(error)).sum())
    size = (f"largest error {number(worst, 3)}" if not unequal else
            f"{unequal} of them nan or infinite"
            + (f", largest other error {number(worst, 3)}"
               if unequal < bad.sum() else ""))
    left, right = _pair(expected[index], got[index])
    first = f"expected {left}, got {right}" if reveal else f"got {right}"
    text = (f"{where}{int(bad.sum())} of {bad.size} values differ "
            f"({size});\nthe first at index {index}: {first}")
    return "\n".join([text] + _slice_picture(expected, got, bad, index,
                                              reveal))


def _compare_sequences(expected, got, rtol, atol, where, reveal):
    if _kind(got) != "sequence":
        return (f"{where}expected a {type(expected).__name__} of "
                f"{len(expected)} items, got {_describe(got)}: "
                f"{_short(got)}")
    if len(got) != len(expected):
        return (f"{where}expected {len(expected)} items, "
                f"got {len(got)}: {_short(got)}")
    for i, (e, g) in enumerate(zip(expected, got)):
        message = compare(e, g, rtol, atol, f"{where}item {i}: ", reveal)
        if message:
            return message
    return None


def _compare_number(expected, got, rtol, atol, where, wanted):
    if _kind(got) == "array" and np.ndim(got) == 0:
        got = got.item()
    if _kind(got) not in ("number", "bool"):
        return f"{where}expected a number, got {_describe(got)}"
    try:
        if isinstance(expected, numbers.Integral):
            ok = got == expected if isinstance(got, numbers.Integral) \
                else float(got) == expected
        else:
            ok = math.isclose(float(got), expected, rel_tol=rtol,
                              abs_tol=atol) or (
                math.isnan(float(got)) and math.isnan(expected))
    except (OverflowError, TypeError, ValueError):
        ok = False
    if ok:
        return None
    left, right = _pair(expected, got)
    wanted = f"expected {left}, " if wanted else "wrong answer: "
    return f"{where}{wanted}got {right}"


def compare(expected, got, rtol=1e-6, atol=1e-8, where="", reveal=True):
    """None if `got` matches `expected`, else a message saying how not.

    Arrays must match in shape and (within `rtol`/`atol`) in value;
    integer arrays exactly; a float32 answer within float32's rounding.
    Numbers compare with the same tolerance, ints and bools exactly.
    Tuples and lists compare item by item. With `reveal` false, the
    message shows no expected value (shapes, lengths and kinds only).
    """
    try:
        return _compare(expected, got, rtol, atol, where, reveal)
    except Exception as exc:  # noqa: BLE001 - whatever the student made
        return (f"{where}the answer could not be compared with the "
                f"expected one ({type(exc).__name__}: {str(exc)[:200]})")


def _compare(expected, got, rtol, atol, where, reveal):
    kind = _kind(expected)
    if kind == "array":
        return _compare_arrays(expected, got, rtol, atol, where, reveal)
    if kind == "sequence":
        return _compare_sequences(expected, got, rtol, atol, where, reveal)
    if kind == "bool":
        if _kind(got) != "bool" or bool(got) != bool(expected):
            wanted = f"expected {bool(expected)}, " if reveal else \
                "wrong answer: "
            return f"{where}{wanted}got {_short(got)}"
        return None
    if kind == "number":
        return _compare_number(expected, got, rtol, atol, where, reveal)
    if got is expected or (type(got) is type(expected) and got == expected):
        return None
    wanted = f"expected {_short(expected)}, " if reveal else "wrong answer: "
    return f"{where}{wanted}got {_short(got)}"


def precision_note(got):
    """'your result is float32 ...' when an array in `got` is float32 or
    float16 (accepted within their rounding), else None."""
    stack = [got]
    while stack:
        value = stack.pop()
        if isinstance(value, np.ndarray) and value.dtype.name in \
                _LOW_PRECISION:
            return (f"your result is {value.dtype.name}: accepted within "
                    f"its rounding, but float64 inputs should give float64")
        if isinstance(value, (list, tuple)):
            stack.extend(value[:64])
    return None
