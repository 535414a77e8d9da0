"""Write the set-up cell into every notebook, from one setting.

The first code cell of every chapter (and of book/how_to_use.ipynb, which
also shows it in its text) installs convlib when it is missing, as on
Colab. The repository it installs from is ``repository.url`` in
``_config.yml``, the one place to change it; this script writes the cell
from that setting::

    .venv/bin/python scripts/setup_cell.py          # rewrite the cells
    .venv/bin/python scripts/setup_cell.py --check  # exit 1 if one differs

(``make setup-cell``). It replaces the first code cell of each notebook in
``chapters/`` and ``book/`` when that cell is a set-up cell (its first
line starts with ``# Set-up: install convlib``), keeping its outputs and
metadata, and the ``python`` block under "(setup-cell)=" in
book/how_to_use.ipynb. tests/test_book.py checks that all of them agree.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# Set-up: install convlib"
NOTEBOOKS = ["chapters/*.ipynb", "book/*.ipynb"]
HOW_TO = ROOT / "book" / "how_to_use.ipynb"
BLOCK = re.compile(r"(\(setup-cell\)=.*?```python\n)(.*?)(```)", re.S)

TEMPLATE = '''\
# Set-up: install convlib if it is missing (Colab, fresh environments).
{repository}
try:
    import convlib
except ImportError:
    import subprocess
    import sys
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    if subprocess.run(pip + [f"convlib[all] @ git+{{REPOSITORY}}"]).returncode:
        raise SystemExit(
            "Installing convlib failed (pip says why above). Check that "
            "this session is online, then run this cell again; see "
            "'The set-up cell' in the book's 'How to use this book'.")
    import convlib'''


def repository_url(root=ROOT):
    """``repository.url`` of _config.yml."""
    config = yaml.safe_load((root / "_config.yml").read_text("utf-8"))
    return config["repository"]["url"].rstrip("/")


def _assignment(url, width=79):
    """``REPOSITORY = "url"``, split over two lines when too wide."""
    line = f'REPOSITORY = "{url}"'
    if len(line) <= width:
        return line
    cut = url.rfind("/", 0, width - len('REPOSITORY = ("') - 1) + 1
    return (f'REPOSITORY = ("{url[:cut]}"\n'
            f'              "{url[cut:]}")')


def setup_cell(root=ROOT):
    """The source of the set-up cell for the configured repository."""
    return TEMPLATE.format(repository=_assignment(repository_url(root)))


def _is_setup(cell):
    return cell.cell_type == "code" and cell.source.startswith(MARKER)


def notebooks(root=ROOT):
    """Notebooks whose first code cell is a set-up cell."""
    found = []
    for pattern in NOTEBOOKS:
        for path in sorted(root.glob(pattern)):
            nb = nbformat.read(path, as_version=4)
            first = next((c for c in nb.cells if c.cell_type == "code"),
                         None)
            if first is not None and _is_setup(first):
                found.append(path)
    return found


def stale(root=ROOT):
    """Paths whose set-up cell (or shown block) differs from setup_cell."""
    cell, out = setup_cell(root), []
    for path in notebooks(root):
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        shown = [m.group(2).strip() for c in nb.cells
                 if c.cell_type == "markdown"
                 for m in BLOCK.finditer(c.source)]
        if first.source != cell or any(s != cell for s in shown):
            out.append(path)
    return out


def rewrite(path, cell):
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.cell_type == "code").source = cell
    for c in nb.cells:
        if c.cell_type == "markdown":
            c.source = BLOCK.sub(lambda m: m.group(1) + cell + "\n" +
                                 m.group(3), c.source)
    nbformat.write(nb, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only list notebooks whose cell differs")
    args = parser.parse_args(argv)
    paths = stale()
    for path in paths:
        if args.check:
            print(f"{path.relative_to(ROOT)}: set-up cell out of date; "
                  "run `make setup-cell`", file=sys.stderr)
        else:
            rewrite(path, setup_cell())
            print(f"rewrote {path.relative_to(ROOT)}")
    return 1 if args.check and paths else 0


if __name__ == "__main__":
    sys.exit(main())
