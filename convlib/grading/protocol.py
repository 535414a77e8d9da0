"""The wire format between the grader and the child that runs a submission.

A message is a frame: an 8-byte big-endian length, then that many bytes.
The bytes hold a JSON header (its own 8-byte length first) followed by
arrays saved with ``np.save(..., allow_pickle=False)``, each again
prefixed by its length. Values are JSON trees in which
``{"__array__": k}`` stands for the k-th array and
``{"__tuple__": [...]}`` for a tuple, and
``{"__function__": kind, "params": [...]}`` for a `SentFunction` (a
fixed NumPy formula, for exercises that take a function). Nothing is
ever unpickled: arrays are read back with ``np.load(allow_pickle=False)``.

The grader imports this module; the child runs its source text, pasted
in front of `_child.py` (see `sandbox.child_source`), so both sides
share one implementation without the child importing convlib.
"""
import io
import json
import struct

import numpy as np

LENGTH = struct.Struct(">Q")
MAX_FRAME = 64 * 2 ** 20   # 64 MiB: larger replies are refused unread
# numbers outside arrays cost ~50 times their JSON size once decoded
MAX_HEADER = 4 * 2 ** 20


class ProtocolError(Exception):
    """A frame from the child could not be read or understood."""


class SentFunction:
    """A scalar function of an array that can cross the wire: one of a
    few fixed NumPy formulas (`KINDS`) and its two parameter arrays
    ``a`` and ``b`` (shaped like the input). For exercises that take a
    function (a numerical gradient); `gradient` is its exact gradient.

    quadratic: sum(a x^2 + b x); sine: sum(b sin(a x));
    logsumexp: log sum exp(a x + b).
    """

    KINDS = ("quadratic", "sine", "logsumexp")

    def __init__(self, kind, params):
        if kind not in self.KINDS or len(params) != 2:
            raise ValueError(f"unknown function {kind!r}")
        self.kind = kind
        self.params = tuple(np.array(p, dtype=float) for p in params)

    def __call__(self, x):
        a, b = self.params
        x = np.asarray(x, dtype=float)
        if self.kind == "quadratic":
            return float(np.sum(a * x * x + b * x))
        if self.kind == "sine":
            return float(np.sum(b * np.sin(a * x)))
        z = a * x + b
        return float(z.max() + np.log(np.sum(np.exp(z - z.max()))))

    def gradient(self, x):
        a, b = self.params
        if self.kind == "quadratic":
            return 2 * a * x + b
        if self.kind == "sine":
            return a * b * np.cos(a * x)
        e = np.exp(a * x + b - np.max(a * x + b))
        return a * e / e.sum()

    def __repr__(self):
        return f"<{self.kind} function of a {self.params[0].shape} array>"

    def __deepcopy__(self, memo):
        return SentFunction(self.kind, self.params)


def _to_tree(value, arrays):
    if isinstance(value, SentFunction):
        return {"__function__": value.kind,
                "params": [_to_tree(p, arrays) for p in value.params]}
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"__array__": len(arrays) - 1}
    if isinstance(value, np.generic):
        return _to_tree(value.item(), arrays)
    if isinstance(value, tuple):
        return {"__tuple__": [_to_tree(v, arrays) for v in value]}
    if isinstance(value, list):
        return [_to_tree(v, arrays) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_tree(v, arrays) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def encode(message):
    """Bytes of one frame (without its outer length) for `message`."""
    arrays = []
    tree = _to_tree(message, arrays)
    parts = [json.dumps(tree).encode()]
    for array in arrays:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        parts.append(buffer.getvalue())
    return b"".join(LENGTH.pack(len(p)) + p for p in parts)


def _from_tree(tree, arrays):
    if isinstance(tree, list):
        return [_from_tree(v, arrays) for v in tree]
    if isinstance(tree, dict):
        if set(tree) == {"__array__"}:
            return arrays[tree["__array__"]]
        if set(tree) == {"__tuple__"}:
            return tuple(_from_tree(v, arrays) for v in tree["__tuple__"])
        if set(tree) == {"__function__", "params"}:
            return SentFunction(tree["__function__"],
                                [_from_tree(v, arrays)
                                 for v in tree["params"]])
        return {k: _from_tree(v, arrays) for k, v in tree.items()}
    return tree


def _split(payload):
    parts, offset = [], 0
    while offset < len(payload):
        if offset + LENGTH.size > len(payload):
            raise ProtocolError("truncated part header")
        (size,) = LENGTH.unpack_from(payload, offset)
        offset += LENGTH.size
        if offset + size > len(payload):
            raise ProtocolError("truncated part")
        parts.append(payload[offset:offset + size])
        offset += size
    if not parts:
        raise ProtocolError("empty frame")
    return parts


def decode(payload):
    """Inverse of `encode`; raises `ProtocolError` on anything malformed."""
    try:
        parts = _split(payload)
        if len(parts[0]) > MAX_HEADER:
            raise ProtocolError(f"more than {MAX_HEADER} bytes of JSON")
        tree = json.loads(parts[0].decode())
        arrays = [np.load(io.BytesIO(p), allow_pickle=False)
                  for p in parts[1:]]
        return _from_tree(tree, arrays)
    except ProtocolError:
        raise
    except Exception as exc:  # ValueError, UnicodeError, IndexError...
        raise ProtocolError(f"malformed message: {exc}") from exc
