"""How `convlib.numpy` spreads one call's work over the cores.

The rule is short. A convolution whose work is large enough is cut
into pieces -- slices of the batch, or, when the batch is too small to
share out evenly, slices of the output's rows -- and every piece is a
whole, smaller convolution that writes its own slice of the result
(`_pieces.cut` cuts; `_conv_forward.forward`, the weight gradient and
col2im in `_conv_nd` hand their pieces here, pooling its blocks of
planes). A backward pass of middling size hands over its two gradients
instead, each whole (`_conv_nd._side_by_side`). `run` computes the
first piece on the calling thread and hands the others to helper
threads, one per further worker (`_Helpers`); NumPy and OpenBLAS
release Python's lock while they work, so the threads run side by
side. With more than one worker a convolution holds OpenBLAS to one
thread from start to end (`holding_blas`), so that the workers do not
each start BLAS threads of their own and fight over the cores, and
OpenBLAS's threads do not spin beside the next call's pieces.

Results depend on the number of workers only through the float
rounding of the pieces' sums, and never on timing: a piece's numbers
do not depend on which thread computes it or when, and results that
are sums over pieces (the weight gradient) add the pieces in order.

The number of workers follows the machine: the CPUs this process may
use (``os.sched_getaffinity``), or the environment variable
``CONVLIB_WORKERS``, or `set_workers`.
"""
import functools
import os
import queue
import threading

ENVIRONMENT_VARIABLE = "CONVLIB_WORKERS"

_chosen = None  # set by `set_workers`; None follows the machine
_machine = None  # `_machine_workers()`, read once
_pool = None  # `_Helpers`, made on first use
_blas = None  # `_blas_setters()`, found on first use
_held, _restore = 0, []  # open `_OneBlasThread` contexts; [(set, count)]
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


class _Helpers:
    """`count` helper threads, started at once, each with an inbox of
    its own.

    Not a ThreadPoolExecutor: its threads share one queue, and two
    tasks put on it in quick succession can wake only one of them,
    which then runs both, one after the other (two 100-microsecond
    matmuls handed to a warmed-up pool of two took 234-258 us, all on
    one thread, against about 125 us side by side). Here every piece
    goes to the inbox of a thread chosen in advance.
    """

    def __init__(self, count):
        self.inboxes = [queue.SimpleQueue() for _ in range(count)]
        for i, inbox in enumerate(self.inboxes):
            threading.Thread(target=self._serve, args=(inbox,),
                             name=f"convlib-{i}", daemon=True).start()

    @staticmethod
    def _serve(inbox):
        while (job := inbox.get()) is not None:
            func, items, replies = job
            for index, item in items:
                try:
                    replies.put((index, None, _piece(func, item)))
                except BaseException as error:  # re-raised by `run`
                    replies.put((index, error, None))

    def stop(self):
        for inbox in self.inboxes:
            inbox.put(None)


def _helpers(count):
    """The `_Helpers` of `count` threads (made anew when the count of
    workers changes)."""
    global _pool
    with _lock:
        if _pool is None or len(_pool.inboxes) != count:
            if _pool is not None:
                _pool.stop()
            _pool = _Helpers(count)
        return _pool


def holding_blas(func):
    """`func`, run with OpenBLAS held to one thread (`_OneBlasThread`)
    when there are several workers and left as it is with one: the
    wrapper of each convolution `convlib.numpy` computes."""
    @functools.wraps(func)
    def held(*args, **kwargs):
        if workers() == 1:
            return func(*args, **kwargs)
        with _HOLD:
            return func(*args, **kwargs)
    return held


class _OneBlasThread:
    """A context holding every BLAS library loaded (when first used)
    to one thread, and putting each back as it was when the outermost
    such context closes (they nest: a convolution holds it, and so
    does each `run` inside). About 2 us (`_blas_setters`), against 8 us
    for threadpoolctl's ``limit``: every convolution pays it. A library
    already at one thread (``threadpool_limits(1)``, as chapter 8 sets
    it) is neither set nor put back: chapter 8's NumPy training took
    0.986x the time (in one process, 12 loops each way alternating)."""

    def __enter__(self):
        global _blas, _held, _restore
        with _lock:
            if _held == 0:
                if _blas is None:
                    _blas = _blas_setters()
                _restore = [(put, count) for get, put in _blas
                            if (count := get()) != 1]
                for put, _ in _restore:
                    put(1)
            _held += 1

    def __exit__(self, *exc):
        global _held
        with _lock:
            _held -= 1
            if _held == 0:
                for put, count in _restore:
                    put(count)


def _blas_setters():
    """[(get, set)] thread-count functions of every BLAS library
    loaded: OpenBLAS's own C functions where it has them (threadpoolctl's
    setter would make the calling thread, for good, the only one whose
    limits on OpenBLAS take effect), else threadpoolctl's methods."""
    from threadpoolctl import ThreadpoolController
    found = []
    for lib in ThreadpoolController().select(user_api="blas").lib_controllers:
        found.append(_openblas_functions(lib)
                     or (lib.get_num_threads, lib.set_num_threads))
    return found


def _openblas_functions(lib):
    """(get, set) C functions of an OpenBLAS with its own threads (not
    OpenMP's), by the names threadpoolctl looks for; or None."""
    if (lib.internal_api != "openblas"
            or getattr(lib, "threading_layer", None) == "openmp"):
        return None
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            get, put = (getattr(lib.dynlib, f"{prefix}openblas_{verb}_num_"
                                f"threads{suffix}", None)
                        for verb in ("get", "set"))
            if get is not None and put is not None:
                return get, put
    return None


_HOLD = _OneBlasThread()


def busy():
    """True on a thread that is computing a piece of `run` (work it
    hands out then runs there, one item after another)."""
    return getattr(_inside, "busy", False)


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
    With one worker, one item, or when called from inside a piece
    (nested), the items run here, one after another, and OpenBLAS is
    left as it is (a convolution holds it to one thread as a whole,
    `holding_blas`: after a call that uses OpenBLAS's threads they spin
    for a while, and pieces running meanwhile ran 1.6-2x slower -- a
    depthwise layer took 5.2 ms a call, 8.1-8.8 ms after one small
    call of each of four other layers). Otherwise the items are
    dealt to the calling thread and ``workers() - 1`` helper
    threads (`_Helpers`) in turn -- of w threads, thread t computes
    items t, t + w, t + 2w, ... -- while OpenBLAS is held to one
    thread; the limit is process-wide for that time, so two threads of
    the caller's own calling convlib at once may see it. Every item has
    finished before `run` returns or raises (the first failed item's
    exception).
    """
    items = list(items)
    total = count = workers()
    if count <= 1 or busy():
        return [func(item) for item in items]
    if len(items) == 1:  # here (a convolution holds OpenBLAS itself)
        return [func(items[0])]
    count = min(count, len(items))
    results, failures = [None] * len(items), []
    with _HOLD:
        replies = queue.SimpleQueue()
        helpers = _helpers(total - 1)
        for t in range(1, count):  # thread t: items t, t + count, ...
            helpers.inboxes[t - 1].put(
                (func, list(enumerate(items))[t::count], replies))
        ours = range(0, len(items), count)
        for index in ours:
            try:
                results[index] = _piece(func, items[index])
            except BaseException as error:  # re-raised below
                failures.append((index, error))
                break
        for _ in range(len(items) - len(ours)):  # wait for every helper
            index, error, value = replies.get()
            results[index] = value
            if error is not None:
                failures.append((index, error))
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]
    return results
