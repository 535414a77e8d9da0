"""One side of a benchmark comparison, timed in a process of its own.

`bench.py` starts one of these per library and thread setting
(`sides.Side`) and talks to it through JSON lines on stdin/stdout, so
that no two libraries share a process: torch's and OpenBLAS's worker
threads, which keep spinning for a while after a call, never run
beside the other library's timed calls. The side is chosen by the
environment variable BENCH_SIDE:

``torch``
    ``torch.nn.functional`` (forward; the backward is autograd on a
    graph kept from one forward call).
``convlib``
    ``convlib.numpy``, from wherever Python finds it (``PYTHONPATH``
    selects another checkout, e.g. the commit before a change).
``naive``
    ``convlib.naive``, the loops written to be read (small cases only).

Thread counts come from the environment set before this process
starts (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, CONVLIB_WORKERS); a side
reports what it got (``info``).

Commands (one JSON object a line; each answered by one line):

``{"cmd": "info"}``
    versions and thread counts.
``{"cmd": "prepare", "cases": [[k, {...}], ...]}``
    build the arrays of each case (`cases.py`) under its id k, call
    every direction once (warm-up); answers, per case, {direction:
    seconds of the fastest of three more calls}.
``{"cmd": "time", "jobs": [[k, d, c], ...]}``
    for each job, run direction d of case k c times, one job after
    the other; answers, per job, the c times (s).
``{"cmd": "forget", "ids": [k, ...]}``
    drop those cases' arrays.
``{"cmd": "quit"}``
"""
import json
import os
import sys
import time


def _load(side):
    """Import the side's library (after the thread settings are in the
    environment: OpenBLAS and OpenMP read them once, on load)."""
    import numpy as np
    if side == "torch":
        import torch
        if os.environ.get("OMP_NUM_THREADS") == "1":
            torch.set_num_threads(1)
        return np, torch
    if side == "naive":
        import convlib.naive as naive
        return np, naive
    import convlib.numpy as cn
    if not hasattr(cn, "workers") and os.environ.get(
            "OMP_NUM_THREADS") == "1":  # a checkout from before workers
        import convlib.numpy._conv_forward as forward
        forward.THREADS = 1
    return np, cn


def _info(side, np, lib):
    from threadpoolctl import threadpool_info
    info = {"side": side, "python": sys.version.split()[0],
            "numpy": np.__version__,
            "blas_threads": [p["num_threads"] for p in threadpool_info()
                             if p["user_api"] == "blas"]}
    if side == "torch":
        info.update(torch=lib.__version__, threads=lib.get_num_threads())
    else:
        import convlib
        info["convlib"] = os.path.dirname(convlib.__file__)
        workers = getattr(lib, "workers", None)
        info["threads"] = workers() if workers else None
        memory = sys.modules.get("convlib.numpy._memory")
        info["keep_memory"] = getattr(memory, "applied", None)
    return info


def _arrays(np, case):
    rng = np.random.default_rng(case.get("seed", 0))
    return [rng.standard_normal(s).astype(np.float32)
            for s in case["shapes"]]


def _torch_calls(np, torch, case):
    """{direction: function} for torch."""
    import torch.nn.functional as F
    op, kw = getattr(F, case["op"]), case["kwargs"]
    tensors = [torch.from_numpy(a).requires_grad_()
               for a in _arrays(np, case)]
    out = op(*tensors, **kw)
    grad = torch.from_numpy(np.random.default_rng(1).standard_normal(
        tuple(out.shape)).astype(np.float32))

    def fwd():
        with torch.no_grad():
            op(*tensors, **kw)

    def bwd():
        torch.autograd.grad(out, tensors, grad, retain_graph=True)

    def fwd_bwd():
        torch.autograd.grad(op(*tensors, **kw), tensors, grad)
    return {"fwd": fwd, "bwd": bwd, "bwd_given": bwd,
            "bwd_recomputed": fwd_bwd}


def _convlib_calls(np, cn, case):
    """{direction: function} for convlib.numpy."""
    op, kw = getattr(cn, case["op"]), case["kwargs"]
    backward = getattr(cn, case["op"] + "_backward")
    arrays = _arrays(np, case)
    out = op(*arrays, **kw)
    grad = np.random.default_rng(1).standard_normal(
        np.shape(out)).astype(np.float32)
    calls = {"fwd": lambda: op(*arrays, **kw),
             "bwd": lambda: backward(grad, *arrays, **kw)}
    if case["op"] == "max_pool2d":
        _, indices = op(*arrays, return_indices=True, **kw)
        calls["bwd_given"] = lambda: backward(grad, *arrays,
                                              indices=indices, **kw)
        calls["bwd_recomputed"] = calls["bwd"]
    return calls


def _once(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _prepare(cases, key, calls):
    """Keep a case's calls under `key`, warm them up (plans, caches,
    the allocator); {direction: fastest of three more calls (s)}."""
    cases[key] = calls
    for func in calls.values():
        func()
    return {d: min(_once(f) for _ in range(3)) for d, f in calls.items()}


def serve(side, read=sys.stdin, write=sys.stdout):
    """Answer commands until ``quit`` or the end of `read`."""
    np, lib = _load(side)
    build = _torch_calls if side == "torch" else _convlib_calls
    cases = {}
    for line in read:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "quit":
            break
        if cmd == "info":
            answer = _info(side, np, lib)
        elif cmd == "prepare":
            answer = [_prepare(cases, key, build(np, lib, case))
                      for key, case in msg["cases"]]
        elif cmd == "time":
            answer = [[_once(cases[key][direction]) for _ in range(calls)]
                      for key, direction, calls in msg["jobs"]]
        elif cmd == "forget":
            answer = [cases.pop(key, None) is not None
                      for key in msg["ids"]]
        else:
            answer = {"error": f"unknown command {cmd!r}"}
        write.write(json.dumps(answer) + "\n")
        write.flush()


if __name__ == "__main__":
    serve(os.environ["BENCH_SIDE"])
