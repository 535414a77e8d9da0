"""Write the set-up cell into every notebook, from two settings.

The first code cell of every chapter, of book/how_to_use.ipynb (which
also shows it in its text) and of every released exercise notebook
installs convlib when it is missing, as on Colab. It installs from
``repository.url`` of ``_config.yml`` at the pinned reference
``repository.ref`` (a release tag or a commit, never a branch), so that a
notebook gets the convlib it was written for::

    .venv/bin/python scripts/setup_cell.py               # rewrite the cells
    .venv/bin/python scripts/setup_cell.py --ref v0.2.0  # pin another ref
    .venv/bin/python scripts/setup_cell.py --check       # exit 1 if stale

(``make setup-cell``, ``make setup-cell REF=v0.2.0``). ``--ref`` writes
the reference into ``_config.yml`` (``repository.ref``, and
``repository.branch`` too, so that the launch buttons open the notebooks
of that same release). The script replaces the first code cell of each
notebook in ``chapters/`` and ``book/`` when it is a set-up cell (its
first line starts with ``# Set-up: install convlib``), keeping its
outputs, tags it ``hide-cell`` (collapsed in the book, still run on
Colab), rewrites the ``python`` block under "(setup-cell)=" in
book/how_to_use.ipynb, and has ``python -m convlib.grading release``
write the exercise notebooks again (they get the exercise variant of the
cell, which needs NumPy only). It prints what it changed.

On Colab the cell installs convlib with ``--no-deps`` and then only the
packages the runtime lacks, so Colab's own torch, NumPy and ipywidgets
are kept (no restart). When the installation cannot happen it shows one
message with a link to "If the set-up cell fails" in the README, and no
traceback (IPython shows what ``_render_traceback_`` returns).
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# Set-up: install convlib"
NOTEBOOKS = ["chapters/*.ipynb", "book/*.ipynb"]
BLOCK = re.compile(r"(\(setup-cell\)=.*?```python\n)(.*?)(```)", re.S)
TAG = "hide-cell"  # Jupyter Book: the cell is collapsed behind a toggle
HELP = "if-the-set-up-cell-fails"  # README heading "If the set-up cell fails"
# A reference the cell may pin: a tag such as v0.1.0, or a full commit.
PINNED = re.compile(r"v\d+(\.\d+)*([.-]?\w+)?|[0-9a-f]{40}")

# {module: pip requirement} each kind of notebook imports. Colab has all
# but anywidget and mnist1d; the cell installs only what find_spec lacks.
NEEDS = {
    "chapter": {"numpy": "numpy", "torch": "torch",
                "matplotlib": "matplotlib", "sklearn": "scikit-learn",
                "tqdm": "tqdm", "anywidget": "anywidget",
                "mnist1d": "mnist1d"},
    "exercise": {"numpy": "numpy"},
}

TEMPLATE = '''\
# Set-up: install convlib if it is missing (Colab, fresh environments).
{repository}
REF = "{ref}"  # the release of convlib these notebooks were written for
try:
    import convlib
except ImportError:
    import importlib.util
    import subprocess
    import sys
    # convlib alone, then only the packages this runtime lacks (Colab's own
    # torch and NumPy stay as they are)
    {needs}
    missing = [pip for module, pip in needs.items()
               if importlib.util.find_spec(module) is None]
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    steps = [["--no-deps", f"convlib @ git+{{REPOSITORY}}@{{REF}}"], missing]
    if any(subprocess.run(pip + step, capture_output=True).returncode
           for step in steps if step):
        class SetupFailed(Exception):
            def _render_traceback_(self):  # IPython: the message only
                return [str(self)]
        raise SetupFailed(
            "convlib is not installed here, and installing it failed: is "
            "this session online? What to do: "
            f"{{REPOSITORY}}#{help}") from None
    importlib.invalidate_caches()
    import convlib
    print(f"Installed convlib {{REF}}", *missing, sep=", ")'''


def config(root=ROOT):
    """The parsed _config.yml."""
    return yaml.safe_load((root / "_config.yml").read_text("utf-8"))


def repository_url(root=ROOT):
    """``repository.url`` of _config.yml."""
    return config(root)["repository"]["url"].rstrip("/")


def repository_ref(root=ROOT):
    """``repository.ref`` of _config.yml: the pinned tag or commit."""
    ref = str(config(root)["repository"].get("ref", ""))
    if not PINNED.fullmatch(ref):
        raise SystemExit(
            f"setup_cell: repository.ref in _config.yml is {ref!r}; "
            "expected a release tag such as v0.1.0 or a 40-digit commit")
    return ref


def _assignment(url, width=79):
    """``REPOSITORY = "url"``, split over two lines when too wide."""
    line = f'REPOSITORY = "{url}"'
    if len(line) <= width:
        return line
    cut = url.rfind("/", 0, width - len('REPOSITORY = ("') - 1) + 1
    return (f'REPOSITORY = ("{url[:cut]}"\n'
            f'              "{url[cut:]}")')


def _needs(kind, width=79 - 4):
    """``needs = {...}`` for `kind`, whole items per line, 79 columns."""
    items = [f'"{m}": "{p}"' for m, p in NEEDS[kind].items()]
    lines, line = [], "needs = {"
    for i, item in enumerate(items):
        item += "," if i < len(items) - 1 else "}"
        if len(line) + 1 + len(item) > width and line.strip() != "needs = {":
            lines.append(line)
            line = " " * 8
        line += ("" if line.endswith("{") else " ") + item
    return "\n    ".join(lines + [line])


def setup_cell(root=ROOT, kind="chapter"):
    """The source of the set-up cell ("chapter" or "exercise")."""
    return TEMPLATE.format(repository=_assignment(repository_url(root)),
                           ref=repository_ref(root), needs=_needs(kind),
                           help=HELP)


def _is_setup(cell):
    return cell.cell_type == "code" and cell.source.startswith(MARKER)


def _first_code(nb):
    return next((c for c in nb.cells if c.cell_type == "code"), None)


def notebooks(root=ROOT):
    """Notebooks whose first code cell is a set-up cell."""
    found = []
    for pattern in NOTEBOOKS:
        for path in sorted(root.glob(pattern)):
            first = _first_code(nbformat.read(path, as_version=4))
            if first is not None and _is_setup(first):
                found.append(path)
    return found


def _tagged(cell):
    return TAG in cell.metadata.get("tags", [])


def stale(root=ROOT):
    """Paths whose set-up cell (or shown block, or tag) is out of date."""
    cell, out = setup_cell(root), []
    for path in notebooks(root):
        nb = nbformat.read(path, as_version=4)
        first = _first_code(nb)
        shown = [m.group(2).strip() for c in nb.cells
                 if c.cell_type == "markdown"
                 for m in BLOCK.finditer(c.source)]
        if (first.source != cell or not _tagged(first)
                or "hide-input" in first.metadata.get("tags", [])
                or any(s != cell for s in shown)):
            out.append(path)
    return out


def rewrite(path, cell):
    """Write `cell` as the first code cell of `path` (and its shown block)."""
    nb = nbformat.read(path, as_version=4)
    first = _first_code(nb)
    first.source = cell
    tags = first.metadata.get("tags", [])  # hide-cell replaces hide-input
    first.metadata["tags"] = [TAG] + [t for t in tags
                                      if t not in (TAG, "hide-input")]
    for c in nb.cells:
        if c.cell_type == "markdown":
            c.source = BLOCK.sub(lambda m: m.group(1) + cell + "\n" +
                                 m.group(3), c.source)
    nbformat.write(nb, path)


PIP_LINE = re.compile(r'convlib @ git\+\S+?@[\w.-]+"')
DOCS = ["README.md"]  # they show the `%pip install` line a reader can run


def stale_docs(root=ROOT):
    """Docs whose ``convlib @ git+URL@REF`` line names another pin."""
    want = f'convlib @ git+{repository_url(root)}@{repository_ref(root)}"'
    return [root / d for d in DOCS
            if any(m != want for m in
                   PIP_LINE.findall((root / d).read_text("utf-8")))]


def rewrite_docs(root=ROOT):
    want = f'convlib @ git+{repository_url(root)}@{repository_ref(root)}"'
    for path in stale_docs(root):
        path.write_text(PIP_LINE.sub(want, path.read_text("utf-8")),
                        "utf-8")
        print(f"rewrote the pinned install line of {path.name}")


def set_ref(ref, root=ROOT):
    """Write `ref` as repository.ref and repository.branch of _config.yml.

    Only those two lines change; comments and layout are kept.
    """
    if not PINNED.fullmatch(ref):
        raise SystemExit(f"setup_cell: --ref {ref!r} is not a release tag "
                         "(v0.1.0) or a 40-digit commit")
    path = root / "_config.yml"
    text = path.read_text("utf-8")
    block = re.search(r"^repository:\n((?:[ #].*\n|\n)*)", text, re.M)
    body = block.group(1)
    for key in ("ref", "branch"):
        body, n = re.subn(rf"^(  {key}:[ \t]*)\S+", rf"\g<1>{ref}", body,
                          count=1, flags=re.M)
        if not n:
            body += f"  {key}: {ref}\n"
    path.write_text(text[:block.start(1)] + body + text[block.end(1):],
                    "utf-8")


def _release(check):
    """Run ``python -m convlib.grading release`` (exercise set-up cells)."""
    cmd = [sys.executable, "-m", "convlib.grading", "release"]
    return subprocess.run(cmd + ["--check"] * check, cwd=ROOT).returncode


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only list notebooks whose cell differs")
    parser.add_argument("--ref", help="pin this tag or commit first "
                        "(written to repository.ref and .branch)")
    args = parser.parse_args(argv)
    if args.ref and not args.check:
        set_ref(args.ref)
    ref, paths = repository_ref(), stale()
    if args.check:
        paths += stale_docs()
    else:
        rewrite_docs()
    for path in paths:
        if args.check:
            print(f"{path.relative_to(ROOT)}: its set-up cell or install "
                  "line is out of date; run `make setup-cell`",
                  file=sys.stderr)
        else:
            rewrite(path, setup_cell())
            print(f"rewrote the set-up cell of {path.relative_to(ROOT)}")
    if not args.check:
        kept = len(notebooks()) - len(paths)
        print(f"set-up cells install convlib from {repository_url()} at "
              f"{ref}: {len(paths)} notebook(s) rewritten, {kept} already "
              "up to date")
    sys.stdout.flush()
    released = _release(args.check)
    return 1 if released or (args.check and paths) else 0


if __name__ == "__main__":
    sys.exit(main())
