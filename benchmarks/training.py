"""Chapter 8's NumPy-only training against torch's, timed fairly.

Chapter 8 trains its small CNN (conv 1->8, ReLU, max pool, conv
8->16, ReLU, max pool, linear 64->10; float64) by SGD twice: with
convlib.numpy's forward and backward functions written out by hand,
and with torch autograd, 225 steps of 32 digits each. This times the
two loops as the chapter runs them (`numpy_run`, `torch_run`, the
chapter's cells), each in a process of its own started with the
thread setting, in rounds of alternating order; a round's figure is
the best of `REPEATS` runs of the loop, and the ratio NumPy / torch
is reported as the median over rounds with the lowest and highest.

Three thread settings: the machine's default (torch and OpenBLAS use
every core, convlib.numpy its workers), one thread for everything,
and the chapter's own (`CHAPTER`): its setup cell holds torch and
every BLAS to one thread (``torch.set_num_threads(1)``,
``threadpool_limits(1)``) while convlib.numpy keeps the workers the
machine gives it.

``python benchmarks/training.py`` (5 rounds); ``make bench`` runs it
too. ``--side numpy|torch`` is one side's process (it prints its best
time in seconds); with ``--chapter-threads`` it first does what the
chapter's setup cell does.
"""
import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time

import sides

EPOCHS, BATCH, LR = 5, 32, 0.2  # chapter 8's SGD run: 225 steps
REPEATS = 3
CHAPTER = "chapter"  # the thread setting of chapter 8's setup cell
SHAPES = {"0.weight": (8, 1, 3, 3), "0.bias": (8,),
          "3.weight": (16, 8, 3, 3), "3.bias": (16,),
          "7.weight": (10, 64), "7.bias": (10,)}


def problem():
    """(parameters, images, labels, batches): chapter 8's data and
    SGD batches, and start weights drawn like nn.Conv2d's/nn.Linear's
    (uniform in +-1/sqrt(fan-in)) from a fixed seed, float64."""
    import numpy as np
    from convlib import data
    ds = data.digits(test_fraction=0.2, seed=0)
    rng = np.random.default_rng(1)
    params = {}
    for name, shape in SHAPES.items():
        weight = SHAPES[name.replace("bias", "weight")]
        bound = 1 / np.sqrt(np.prod(weight[1:]))
        params[name] = rng.uniform(-bound, bound, shape)
    x = ds.x_train.astype(np.float64)
    order = np.random.default_rng(1)
    batches = [perm[i:i + BATCH] for perm in
               (order.permutation(len(x)) for _ in range(EPOCHS))
               for i in range(0, len(x), BATCH)]
    return params, x, ds.y_train, batches


def numpy_run(p, x, y, batches):
    """Chapter 8's NumPy loop (its cells `forward`, `loss_and_grads`
    and the SGD steps); returns the losses."""
    import numpy as np
    from convlib import numpy as cnp
    losses = []
    for b in batches:
        xb, yb = x[b], y[b]
        a1 = cnp.conv2d(xb, p["0.weight"], p["0.bias"], padding=1)
        r1 = cnp.relu(a1)
        m1 = cnp.max_pool2d(r1, 2)
        a2 = cnp.conv2d(m1, p["3.weight"], p["3.bias"], padding=1)
        r2 = cnp.relu(a2)
        m2 = cnp.max_pool2d(r2, 2)
        f = m2.reshape(len(xb), -1)
        z = cnp.linear(f, p["7.weight"], p["7.bias"])
        rows, g, g_logp = np.arange(len(yb)), {}, np.zeros_like(z)
        g_logp[rows, yb] = -1.0 / len(yb)
        g_z = cnp.log_softmax_backward(g_logp, z, dim=1)
        g_f, g["7.weight"], g["7.bias"] = cnp.linear_backward(
            g_z, f, p["7.weight"], p["7.bias"])
        g_r2 = cnp.max_pool2d_backward(g_f.reshape(m2.shape), r2, 2)
        g_a2 = cnp.relu_backward(g_r2, a2)
        g_m1, g["3.weight"], g["3.bias"] = cnp.conv2d_backward(
            g_a2, m1, p["3.weight"], p["3.bias"], padding=1)
        g_a1 = cnp.relu_backward(cnp.max_pool2d_backward(g_m1, r1, 2), a1)
        _, g["0.weight"], g["0.bias"] = cnp.conv2d_backward(
            g_a1, xb, p["0.weight"], p["0.bias"], padding=1,
            input_grad=False)
        losses.append(-cnp.log_softmax(z, dim=1)[rows, yb].mean())
        for k in p:
            p[k] -= LR * g[k]
    return losses


def torch_run(p, x, y, batches):
    """Chapter 8's torch loop: the same network, autograd, SGD."""
    import torch
    import torch.nn.functional as F
    from torch import nn
    net = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10)).double()
    net.load_state_dict({k: torch.from_numpy(v) for k, v in p.items()})
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    for b in batches:
        loss = F.cross_entropy(net(xt[b]), yt[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def chapter_threads():
    """What chapter 8's first cells do to threads: import torch and
    scikit-learn (their thread pools are then loaded), then hold torch
    and every BLAS and OpenMP library to one thread. Returns the
    threadpoolctl limiter, a context that lifts the limit at its end
    (torch's setting stays)."""
    import sklearn.svm  # noqa: F401  (the chapter imports it)
    import torch
    from threadpoolctl import threadpool_limits
    torch.set_num_threads(1)
    return threadpool_limits(1)


def side(name, chapter=False):
    """One side's process: the best of `REPEATS` runs of its loop, in
    seconds, after one run to warm up (first calls build caches); with
    `chapter`, under chapter 8's thread setting (`chapter_threads`)."""
    run = {"numpy": numpy_run, "torch": torch_run}[name]
    params, x, y, batches = problem()
    times, losses = [], None
    with chapter_threads() if chapter else contextlib.nullcontext():
        for _ in range(REPEATS + 1):
            p = {k: v.copy() for k, v in params.items()}
            start = time.perf_counter()
            losses = run(p, x, y, batches)
            times.append(time.perf_counter() - start)
    print(min(times[1:]), float(losses[-1]))


def _time(name, threads):
    chapter = threads == CHAPTER
    env = sides.thread_environment(None if chapter else threads)
    command = [sys.executable, os.path.abspath(__file__), "--side", name]
    out = subprocess.run(command + ["--chapter-threads"] * chapter,
                         env=env, check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), float(out[1])


def compare(threads, rounds):
    """{'numpy': [s], 'torch': [s], 'ratio': [...]} over `rounds`
    rounds, the two sides in alternating order."""
    found = {"numpy": [], "torch": [], "ratio": [], "last loss": {}}
    for r in range(rounds):
        order = ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy")
        got = {}
        for name in order:
            got[name], found["last loss"][name] = _time(name, threads)
        for name in ("numpy", "torch"):
            found[name].append(got[name])
        found["ratio"].append(got["numpy"] / got["torch"])
    return found


def report(rounds=5, settings=None):
    """Print the table, one row per thread setting."""
    settings = settings or {"default threads": None, "one thread": 1,
                            "as chapter 8 sets them": CHAPTER}
    steps = len(problem()[3])
    print(f"\nchapter 8's training, {steps} SGD steps of {BATCH} digits "
          f"(float64), NumPy (convlib.numpy) against torch autograd; "
          f"best of {REPEATS} loops a round, median over {rounds} "
          f"rounds [lowest-highest]\n")
    print("| threads | NumPy s | torch s | NumPy / torch |")
    print("|---|---|---|---|")
    for label, threads in settings.items():
        f = compare(threads, rounds)
        med = {k: statistics.median(f[k]) for k in ("numpy", "torch",
                                                    "ratio")}
        print(f"| {label} | {med['numpy']:.3f} | {med['torch']:.3f} | "
              f"{med['ratio']:.2f} [{min(f['ratio']):.2f}-"
              f"{max(f['ratio']):.2f}] |", flush=True)
        losses = f["last loss"]
        if abs(losses["numpy"] - losses["torch"]) > 1e-9:
            print(f"  the two runs differ: last losses {losses}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=("numpy", "torch"))
    parser.add_argument("--chapter-threads", action="store_true",
                        help="with --side: chapter 8's thread setting")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.side:
        side(args.side, args.chapter_threads)
    else:
        report(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
