"""Break each path of convlib.numpy's convolution once; see a test fail.

    .venv/bin/python tests/break_paths.py [words of a mutation's name]

Each entry of `M` replaces one snippet of the source with a broken one
(a wrong slice, a dropped piece, a path that ignores its setting), runs
the focused tests, prints CAUGHT and the first failing test or
"survived", and puts the file back. Every mutation must be CAUGHT: a
test that a broken path still passes cannot fail. It edits the working
tree while it runs: do not run it beside other work in the same tree.
When the source changes, a snippet that no longer matches stops the
script with its name.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = ["tests/test_numpy_reference.py", "tests/test_numpy_conv.py",
         "tests/test_numpy_workers.py", "tests/test_numpy_pool.py",
         "tests/test_naive.py"]
M = [  # (name, file, snippet, broken snippet)
    ('pointwise weight gradient: stride ignored',
     'convlib/numpy/_conv_nd.py',
     '        x = x[(Ellipsis,) + tuple(slice(0, (o - 1) * s + 1, s)',
     '        x = x[(Ellipsis,) + tuple(slice(0, o, 1)'),
    ('phase bundles: every phase to the first worker',
     'convlib/numpy/_conv_nd.py',
     '        least = loads.index(min(loads))',
     '        least = 0'),
    ('_use_phases ignores SCATTER_FACTOR',
     'convlib/numpy/_conv_nd.py',
     '    return factor > 0 and phases <= factor * scatter',
     '    return True'),
    ('pointwise way: stride ignored when subsampling',
     'convlib/numpy/_conv_forward.py',
     'slice(0, (o - 1) * s + 1, s) for o, s',
     'slice(0, o, 1) for o, s'),
    ("pointwise way: groups' weights swapped",
     'convlib/numpy/_conv_forward.py',
     '    w = weight.reshape(g, weight.shape[0] // g, -1)\n'
     '    xs = x.reshape(x.shape[0], g, x.shape[1] // g, -1)',
     '    w = weight.reshape(g, weight.shape[0] // g, -1)[::-1]\n'
     '    xs = x.reshape(x.shape[0], g, x.shape[1] // g, -1)'),
    ('columns ways: dilation and stride swapped',
     'convlib/numpy/_conv_forward.py',
     '            + tuple(st * d for st, d in zip(space, call.dilation))\n'
     '            + tuple(st * s for st, s in zip(space, call.stride)))',
     '            + tuple(st * d for st, d in zip(space, call.stride))\n'
     '            + tuple(st * s for st, s in zip(space, call.dilation)))'),
    ('flat way: one phase of the input left out',
     'convlib/numpy/_conv_forward.py',
     '        if place is not None:\n'
     '            where, at = place',
     '        if place is not None and p < 1:\n'
     '            where, at = place'),
    ('flat way: shifted product rows off by one',
     'convlib/numpy/_conv_forward.py',
     'piece = rows[:, v * m:(v + 1) * m, shift:shift + width]',
     'piece = rows[:, v * m:(v + 1) * m, '
     'shift + (v > 0):shift + (v > 0) + width]'),
    ('flat way: key columns from the wrong phase',
     'convlib/numpy/_conv_forward.py',
     'part[:, :, k] = flat[:, :, phase, a + shift:a + shift + span]',
     'part[:, :, k] = flat[:, :, 0, a + shift:a + shift + span]'),
    ('row pieces: padding of all-padding rows wrong',
     'convlib/numpy/_pieces.py',
     'before = min(max(0, -a), b - a)',
     'before = max(0, -a)'),
    ("pieces: the helper threads' items not computed",
     'convlib/numpy/_workers.py',
     '                    replies.put((index, None, _piece(func, item)))',
     '                    replies.put((index, None, None))'),
    ('BLAS not held to one thread in the workers',
     'convlib/numpy/_workers.py',
     '                for _, put in _blas:\n'
     '                    put(1)',
     '                for _, put in _blas:\n'
     '                    pass'),
    ("grad_weight: one piece's share left out of the sum",
     'convlib/numpy/_conv_nd.py',
     '    for share in shares[1:]:',
     '    for share in shares[2:]:'),
    ('flat grad_weight: every tap read at shift 0',
     'convlib/numpy/_conv_nd.py',
     '    starts = (sum(s * step for s, step in zip(shifts, lay.steps))',
     '    starts = (0 * sum(s * step for s, step in '
     'zip(shifts, lay.steps))'),
    ('columns grad_weight: only the last chunk kept',
     'convlib/numpy/_conv_nd.py',
     '        gw += (np.matmul(cols, g.transpose(0, 2, 1)) if cols_left',
     '        gw = (np.matmul(cols, g.transpose(0, 2, 1)) if cols_left'),
    ('depthwise grad_weight: taps shifted',
     'convlib/numpy/_conv_nd.py',
     '        gw[(Ellipsis,) + offsets] = np.einsum(\n'
     '            f"ng{o},ngm{o}->gm", win[(Ellipsis,) + offsets], g)',
     '        gw[(Ellipsis,) + offsets] = np.einsum(\n'
     '            f"ng{o},ngm{o}->gm", '
     'win[(Ellipsis,) + (0,) * len(offsets)], g)'),
    ("col2im depthwise: every tap with tap 0's weight",
     'convlib/numpy/_conv_nd.py',
     'np.einsum("ngml,gm->ngl", g, w[:, :, t])',
     'np.einsum("ngml,gm->ngl", g, w[:, :, 0])'),
    ('col2im, depthwise: tap slices ignore dilation',
     'convlib/numpy/_conv_nd.py',
     '        slice(k * d, k * d + (o - 1) * s + 1, s)',
     '        slice(k, k + (o - 1) * s + 1, s)'),
    ("phases: a phase's padding off by one",
     'convlib/numpy/_conv_nd.py',
     '    hi = max(0, count + span - (size - start))',
     '    hi = max(0, count + span - (size - start)) + 1'),
    ('pad: zeros after put before',
     'convlib/_arrays.py',
     '    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _)',
     '    out[(Ellipsis,) + tuple(slice(hi, hi + s) for s, (_, hi)'),
    ('forward budgets ignored',
     'convlib/numpy/_conv_forward.py',
     '    return _Budgets(_tuning.FLAT_BYTES, _tuning.SAMPLE_BYTES,\n'
     '                    _tuning.COLUMN_BYTES)',
     '    return _Budgets(4 * 2**20, 2 * 2**20, 4 * 2**20)'),
    ('side by side: both gradients on the calling thread',
     'convlib/numpy/_conv_nd.py',
     '            gx, gw = _workers.run(lambda task: task(),\n'
     '                                  (input_task, weight_task))',
     '            gx, gw = input_task(), weight_task()'),
    ('cut or whole: pieces kept however slow',
     'convlib/numpy/_conv_forward.py',
     '    return slowest + handoff_ns < whole_ns',
     '    return True'),
    ('tap_outputs: the last output of each tap left out (toeplitz '
     'matrices, weight gradient tap by tap)',
     'convlib/numpy/_conv_forward.py',
     '    return first, max(first, min(out, (size - 1 + lo - t * d) // s'
     ' + 1))',
     '    return first, max(first, min(out, (size - 1 + lo - t * d) // s'
     '))'),
    ('tap_outputs: an output reading the left padding kept',
     'convlib/numpy/_conv_forward.py',
     '    first = max(0, -(-(lo - t * d) // s))',
     '    first = max(0, (lo - t * d) // s)'),
    ('regions way: a box takes one tap too few along the last axis',
     'convlib/numpy/_conv_forward.py',
     '    taps = tuple(t1 - t0 for _, _, t0, t1 in box)',
     '    taps = tuple(t1 - t0 for _, _, t0, t1 in box[:-1]) + (\n'
     '        max(1, box[-1][3] - box[-1][2] - 1),)'),
    ('regions way: aliased copy back skips the last block of channels',
     'convlib/numpy/_conv_forward.py',
     '    for c in range(0, y.shape[1], step):',
     '    for c in range(0, y.shape[1] - step, step):'),
    ('toeplitz way: the last tap left out of the matrices',
     'convlib/numpy/_conv_forward.py',
     '    for j in range(call.kernel[-1]):\n        first, last =',
     '    for j in range(call.kernel[-1] - 1):\n        first, last ='),
    ('tap products (flat and tap-by-tap weight gradients): input '
     'channels reversed where the output channels are fewer',
     'convlib/numpy/_conv_nd.py',
     '            np.matmul(x, grad.transpose(0, 2, 1), out=gw[t])',
     '            np.matmul(x[:, ::-1], grad.transpose(0, 2, 1),\n'
     '                      out=gw[t])'),
    ('toeplitz way: chunks of samples after the first skipped',
     'convlib/numpy/_conv_forward.py',
     '        rows = np.empty(tuple(shape[a] for a in order), x.dtype)',
     '        rows = np.zeros(tuple(shape[a] for a in order), x.dtype)\n'
     '        if i:\n            continue'),
    ('col2im on the phase grid: every tap added unshifted',
     'convlib/numpy/_conv_nd.py',
     '        buf[:, shift:] += cols[:, t, :size - shift]',
     '        buf += cols[:, t]'),
    ('col2im on the phase grid: the last phase not copied',
     'convlib/numpy/_conv_nd.py',
     '        for phase, members in phases:',
     '        for phase, members in phases[:-1]:'),
    ('col2im on the phase grid: a lone tap with a shift taken unshifted',
     'convlib/numpy/_conv_nd.py',
     '    if shift == 0 and not rest:',
     '    if not rest:'),
    ('col2im on the phase grid: the sample slice ignored',
     'convlib/numpy/_conv_nd.py',
     '            dest = target[part][(Ellipsis,) + tuple(',
     '            dest = target[:n][(Ellipsis,) + tuple('),
    ('pooling blocks: the budget ignored',
     'convlib/numpy/_pool_common.py',
     '    step = max(1, _tuning.POOL_BLOCK_BYTES\n'
     '               // max(1, arrays[0][:1, :1].nbytes))',
     '    step = max(1, planes)'),
    ('gathered max backward: uncovered entries keep what the buffer held',
     'convlib/numpy/_pool_common.py',
     '    flat[...] = 0\n',
     ''),
    ("gathered max backward: every plane indexed as the block's first",
     'convlib/numpy/_pool_common.py',
     '    starts = np.arange(planes) * math.prod(spatial)',
     '    starts = np.zeros(planes, int)'),
    ('tiled max backward: an inf or NaN gradient spread by masks',
     'convlib/numpy/_pool_common.py',
     '    if x.ndim > 3 or not np.isfinite(grad).all():',
     '    if x.ndim > 3:'),
    ('stacked phases: sub-kernels not flipped',
     'convlib/numpy/_conv_nd.py',
     '        sub = w[(Ellipsis,) + taps][(Ellipsis,) + reverse]',
     '        sub = w[(Ellipsis,) + taps]'),
    ("stacked phases: every phase's taps at the window's start",
     'convlib/numpy/_conv_nd.py',
     '        dims.append(tuple((first, n, start - base, t) for (',
     '        dims.append(tuple((first, n, 0, t) for ('),
]

def main(only):
    for name, path, old, new in M:
        if only and not any(word in name for word in only):
            continue
        full = os.path.join(ROOT, path)
        with open(full) as f:
            text = f.read()
        if text.count(old) != 1:
            sys.exit(f"{name}: its snippet is not once in {path}")
        with open(full, "w") as f:
            f.write(text.replace(old, new))
        try:
            start = time.time()
            result = subprocess.run(
                [os.path.join(ROOT, ".venv", "bin", "pytest"), "-q", "-x",
                 "-p", "no:cacheprovider", *TESTS], cwd=ROOT,
                capture_output=True, text=True)
            failed = [line[7:] for line in result.stdout.splitlines()
                      if line.startswith("FAILED")]
            verdict = "CAUGHT" if result.returncode else "survived"
            where = (failed[0] if failed
                     else result.stdout.splitlines()[-1])[:70]
            print(f"{verdict:8s} | {name} | {where} | "
                  f"{time.time() - start:.0f} s", flush=True)
        finally:
            with open(full, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
