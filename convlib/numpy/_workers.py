"""How `convlib.numpy` spreads one call's work over the cores.

The rule is short. A convolution whose work is large enough is cut
into pieces -- slices of the batch, or, when the batch is too small
to share out evenly, slices of the output's rows -- and every piece
is a whole, smaller convolution that writes its own slice of the
result (`_pieces.cut` cuts; `_conv_forward.forward`, the weight
gradient and col2im in `_conv_nd` hand their pieces here, pooling its
blocks of planes). `run` hands the pieces to a small pool of threads,
one per worker; NumPy and
OpenBLAS release Python's lock while they work, so the threads run
side by side. Meanwhile OpenBLAS is held to one thread
(threadpoolctl), so that the workers do not each start BLAS threads
of their own and fight over the cores.

Results depend on the number of workers only through the float
rounding of the pieces' sums, and never on timing: a piece's numbers
do not depend on which thread computes it or when, and results that
are sums over pieces (the weight gradient) add the pieces in order.

The number of workers follows the machine: the CPUs this process may
use (``os.sched_getaffinity``), or the environment variable
``CONVLIB_WORKERS``, or `set_workers`.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

ENVIRONMENT_VARIABLE = "CONVLIB_WORKERS"

_chosen = None  # set by `set_workers`; None follows the machine
_machine = None  # `_machine_workers()`, read once
_pool = None  # (size, ThreadPoolExecutor)
_blas = None  # threadpoolctl's controller, made on first use
_lock = threading.Lock()
_inside = threading.local()  # .busy: this thread runs a piece


def _machine_workers():
    """CONVLIB_WORKERS if set, else the CPUs this process may use
    (read on first use and kept: `set_workers` changes it later)."""
    global _machine
    if _machine is None:
        _machine = _read_machine_workers()
    return _machine


def _read_machine_workers():
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if value:
        try:
            count = int(value)
        except ValueError:
            count = 0
        if count < 1:
            raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a positive "
                             f"integer, got {value!r}")
        return count
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def workers():
    """The number of threads `convlib.numpy` spreads a call over.

    Parameters
    ----------
    None

    Returns
    -------
    int
        The count given to `set_workers`, else the environment
        variable ``CONVLIB_WORKERS``, else the number of CPUs this
        process may run on.
    """
    return _chosen if _chosen is not None else _machine_workers()


def set_workers(count):
    """Set how many threads `convlib.numpy` spreads a call over.

    Parameters
    ----------
    count : int or None
        At least 1; 1 computes everything on the calling thread (with
        OpenBLAS at its own setting). None follows the machine again
        (``CONVLIB_WORKERS``, else the CPUs this process may use).

    Returns
    -------
    int or None
        The previous setting, to restore it with.

    Raises
    ------
    TypeError, ValueError
        `count` is not None or an int of at least 1.
    """
    global _chosen
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"set_workers: count must be an int or None, "
                            f"got {type(count).__name__} {count!r}")
        if count < 1:
            raise ValueError(f"set_workers: count must be >= 1, got "
                             f"{count}")
    previous, _chosen = _chosen, count
    return previous


def _executor(size):
    global _pool
    with _lock:
        if _pool is None or _pool[0] != size:
            if _pool is not None:
                _pool[1].shutdown(wait=False)
            _pool = (size, ThreadPoolExecutor(
                size, thread_name_prefix="convlib"))
        return _pool[1]


def _one_blas_thread():
    """A context holding OpenBLAS (every BLAS library) to one thread."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def _piece(func, item):
    _inside.busy = True
    try:
        return func(item)
    finally:
        _inside.busy = False


def run(func, items):
    """``[func(item) for item in items]``, the items on the workers.

    Parameters
    ----------
    func : callable
        Computes one piece; pieces must write disjoint outputs.
    items : sequence
        The pieces, in order.

    Returns
    -------
    list
        The results, in the order of `items`.

    Notes
    -----
    With one item, one worker, or when called from inside a piece
    (nested), the items run here, one after another. Otherwise the
    pool runs them while OpenBLAS is held to one thread; the limit is
    process-wide for that time (threadpoolctl), so two threads of the
    caller's own calling convlib at once may see it.
    """
    items = list(items)
    if len(items) <= 1 or workers() <= 1 or getattr(_inside, "busy",
                                                    False):
        return [func(item) for item in items]
    with _one_blas_thread():
        return list(_executor(workers()).map(
            _piece, [func] * len(items), items))
