"""The set-up cell: what a reader on Colab, or any fresh runtime, gets.

Every chapter, book/how_to_use.ipynb and every released exercise notebook
starts with the cell that scripts/setup_cell.py writes (``make
setup-cell``; the exercises get theirs from ``make release``). These tests
run it in a real Jupyter kernel on a *Colab-like runtime*: a fresh virtual
environment that has what Colab ships (torch, NumPy, matplotlib,
scikit-learn, ipywidgets, tqdm, the kernel: the project's own packages,
put on its path) but not convlib, anywidget, psygnal or mnist1d.

- With the network cut (the kernel runs in an empty network namespace,
  ``unshare -rn``), the reader must see one plain message with the link
  that helps, and nothing else: no pip output, no traceback, no "To exit"
  warning; and "Run all" must stop there.
- With the repository served from a local clone (``git+file://``, a
  commit of this one) and the missing packages from a local wheelhouse
  (wheels packed from the project's environment), the cell must install
  convlib and exactly the missing packages, never Colab's torch or NumPy,
  and the notebook must then run to the end. Nothing is downloaded.
"""
import ast
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import setup_cell  # noqa: E402  (scripts/setup_cell.py)

from convlib.grading import release  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))
REPO = CONFIG["repository"]
SITE = Path(next(p for p in sys.path if p.endswith("site-packages")))
# what Colab does not ship (psygnal comes with anywidget)
NOT_ON_COLAB = ("convlib", "__editable__", "anywidget", "psygnal", "mnist1d")
WHEELS = ["setuptools", "wheel", "anywidget", "psygnal", "mnist1d"]
HELP_URL = f"{REPO['url']}#{setup_cell.HELP}"


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


# --- the cell's text -------------------------------------------------------

def test_the_cell_pins_a_release_of_the_configured_repository():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"]["version"]
    assert REPO["ref"] == f"v{version}", (
        "repository.ref should be the release tag of pyproject's version: "
        f"make setup-cell REF=v{version}")
    assert REPO["branch"] == REPO["ref"], "the launch buttons open the pin"
    for kind in setup_cell.NEEDS:
        cell = setup_cell.setup_cell(kind=kind)
        names = _assigned(cell)  # plain Python, no magics
        assert names["REPOSITORY"] == REPO["url"]
        assert names["REF"] == REPO["ref"]
        assert 'f"convlib @ git+{REPOSITORY}@{REF}"' in cell
        assert '"--no-deps"' in cell and "[all]" not in cell
        assert max(len(line) for line in cell.splitlines()) <= 79
    assert _needs_of("exercise") == {"numpy": "numpy"}


def _needs_of(kind):
    """The `needs` dict written into the cell of `kind`."""
    tree = ast.parse(setup_cell.setup_cell(kind=kind))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and getattr(n.targets[0], "id", "") == "needs")
    return ast.literal_eval(node.value)


def _assigned(source):
    """{name: value} of the assignments of a constant in `source`."""
    return {t.id: n.value.value for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            for t in n.targets if isinstance(t, ast.Name)}


def test_a_branch_is_not_a_pin():
    for ref in ["main", "master", "v0.1.0", "0" * 40]:
        assert bool(setup_cell.PINNED.fullmatch(ref)) == (ref not in (
            "main", "master"))


def test_set_ref_changes_only_ref_and_branch(tmp_path):
    text = (ROOT / "_config.yml").read_text("utf-8")
    (tmp_path / "_config.yml").write_text(text, "utf-8")
    setup_cell.set_ref("v9.8.7", tmp_path)
    new = (tmp_path / "_config.yml").read_text("utf-8")
    assert setup_cell.config(tmp_path)["repository"]["ref"] == "v9.8.7"
    assert setup_cell.config(tmp_path)["repository"]["branch"] == "v9.8.7"
    changed = [(a, b) for a, b in zip(text.splitlines(), new.splitlines())
               if a != b]
    assert len(changed) == 2 and len(text) - len(new) == 0
    with pytest.raises(SystemExit):
        setup_cell.set_ref("main", tmp_path)


def test_every_notebook_starts_with_the_hidden_setup_cell():
    cells = {"chapter": setup_cell.setup_cell(),
             "exercise": setup_cell.setup_cell(kind="exercise")}
    paths = (sorted((ROOT / "chapters").glob("*.ipynb"))
             + [ROOT / "book" / "how_to_use.ipynb"]
             + sorted((ROOT / "exercises").glob("*.ipynb")))
    for path in paths:
        kind = "exercise" if path.parent.name == "exercises" else "chapter"
        first = _code(nbformat.read(path, as_version=4))[0]
        assert first.source == cells[kind], (
            f"{path.name}: stale set-up cell; run make setup-cell")
        assert first.metadata.get("tags", [])[:1] == ["hide-cell"], path
    assert setup_cell.stale() == []
    assert setup_cell.stale_docs() == [], "README: make setup-cell"
    assert release.release(check=True) == []


def test_release_writes_the_same_setup_cell_every_time():
    source = release.sources()[0]
    assert release.render(source) == release.render(source)
    nb = nbformat.reads(release.render(source), as_version=4)
    assert _code(nb)[0].id == release.SETUP_ID


# --- a Colab-like runtime ----------------------------------------------------

def _net_cut():
    """Command prefix that runs a process with no network at all."""
    try:
        ok = subprocess.run(["unshare", "-rn", "true"],
                            capture_output=True).returncode == 0
    except FileNotFoundError:
        ok = False
    assert ok, ("this test cuts the network with `unshare -rn` (util-linux, "
                "unprivileged user namespaces); it is not available here")
    return ["unshare", "-rn"]


def _wheel_of(name, out):
    """Pack the installed distribution `name` of this environment as a
    wheel in `out` (its RECORD lists its files)."""
    info = next(SITE.glob(f"{name}-*.dist-info"))
    tag = re.search(r"^Tag: (\S+)", (info / "WHEEL").read_text(),
                    re.M).group(1)
    path = out / f"{info.name.removesuffix('.dist-info')}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for line in (info / "RECORD").read_text().splitlines():
            rel = line.rsplit(",", 2)[0]
            if (not rel.startswith("..") and "__pycache__" not in rel
                    and (SITE / rel).is_file()):
                archive.write(SITE / rel, rel)


class Runtime:
    """A fresh venv that has what Colab ships, and a kernel running in it
    with no network."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.venv = tmp / "runtime"
        subprocess.run([sys._base_executable, "-m", "venv", "--without-pip",
                        str(self.venv)], check=True)
        shipped = tmp / "shipped"
        shipped.mkdir()
        for entry in SITE.iterdir():
            if not entry.name.startswith(NOT_ON_COLAB) and \
                    entry.suffix != ".pth":
                (shipped / entry.name).symlink_to(entry)
        self.site = next(self.venv.glob("lib/python3*/site-packages"))
        (self.site / "colab-shipped.pth").write_text(f"{shipped}\n")
        self.env = {"PIP_CONFIG_FILE": os.devnull}

    def installed(self):
        """Names installed into the runtime itself (not the shipped ones)."""
        return {p.name.split("-")[0] for p in self.site.glob("*.dist-info")}

    def serve_locally(self):
        """The repository as a local clone, the packages as local wheels."""
        clone = self.tmp / "repo.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(ROOT),
                        str(clone)], check=True)
        house = self.tmp / "wheels"
        house.mkdir()
        for name in WHEELS:
            _wheel_of(name, house)
        self.env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(house))
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse",
                                 "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        return f"file://localhost{clone}", commit

    def run(self, nb, allow_errors=False):
        """Execute `nb` in a kernel of this runtime, network cut."""
        kernels = self.tmp / "kernels" / "colab-like"
        kernels.mkdir(parents=True, exist_ok=True)
        argv = _net_cut() + [str(self.venv / "bin" / "python"), "-m",
                             "ipykernel_launcher", "-f", "{connection_file}"]
        (kernels / "kernel.json").write_text(json.dumps(
            {"argv": argv, "language": "python", "env": self.env,
             "display_name": "Colab-like, offline"}))
        specs = KernelSpecManager(kernel_dirs=[str(kernels.parent)])
        # ipc: the kernel's namespace has no network, not even loopback
        km = KernelManager(kernel_name="colab-like", transport="ipc",
                           kernel_spec_manager=specs,
                           ip=str(self.tmp / "kernel-ipc"))
        work = self.tmp / "content"  # the kernel's cwd, as Colab's /content
        work.mkdir(exist_ok=True)
        NotebookClient(nb, km=km, timeout=300, allow_errors=allow_errors,
                       resources={"metadata": {"path": str(work)}}).execute()
        return nb


@pytest.fixture
def runtime(tmp_path):
    return Runtime(tmp_path)


def _pointed_at(nb, url, ref):
    """`nb` with its set-up cell installing from `url` at `ref`."""
    cell = _code(nb)[0]
    cell.source = re.sub(r"REPOSITORY = .*?\n(?=REF)",
                         f'REPOSITORY = "{url}"\n', cell.source, flags=re.S)
    cell.source = re.sub(r'REF = "[^"]*"', f'REF = "{ref}"', cell.source)
    return nb


def _reader_sees(cell):
    """The text of every output of `cell`, as a reader sees it."""
    seen = []
    for out in cell.outputs:
        if out.output_type == "error":
            seen += out.traceback
        elif out.output_type == "stream":
            seen.append(out.text)
        else:
            seen += [str(v) for v in out.get("data", {}).values()]
    return seen


@pytest.mark.parametrize("path", ["exercises/05_pooling.ipynb",
                                  "chapters/01_convolution.ipynb"])
def test_offline_the_reader_sees_one_plain_message(runtime, path):
    nb = nbformat.read(ROOT / path, as_version=4)
    for cell in _code(nb):
        cell.outputs, cell.execution_count = [], None
    with pytest.raises(CellExecutionError):  # "Run all" stops at the cell
        runtime.run(nb)
    first, rest = _code(nb)[0], _code(nb)[1:]
    seen = _reader_sees(first)
    assert len(seen) == 1, seen
    message = seen[0]
    assert HELP_URL in message and "online" in message
    for noise in ("Traceback", "SystemExit", "To exit", "ERROR", "pip",
                  "git", "\x1b["):
        assert noise not in message.replace(REPO["url"], ""), message
    assert all(c.execution_count is None for c in rest)
    readme = (ROOT / "README.md").read_text("utf-8")
    assert re.search(r"^#+ If the set-up cell fails$", readme, re.M), (
        f"the message links {HELP_URL}: the README needs that heading")


def test_offline_the_install_really_fails_for_lack_of_network(runtime):
    """The message above is the network's doing, not a broken command."""
    pip = _net_cut() + [str(runtime.venv / "bin" / "python"), "-m", "pip",
                        "install", "--no-deps", "--dry-run",
                        f"convlib @ git+{REPO['url']}@{REPO['ref']}"]
    done = subprocess.run(pip, capture_output=True, text=True,
                          env={**os.environ, **runtime.env}, timeout=120)
    assert done.returncode != 0
    assert re.search(r"Could not resolve host|unable to access",
                     done.stdout + done.stderr), done.stderr[-2000:]


def test_on_a_colab_like_runtime_an_exercise_runs_to_the_end(runtime):
    url, commit = runtime.serve_locally()
    nb = _pointed_at(nbformat.read(ROOT / "exercises" / "05_pooling.ipynb",
                                   as_version=4), url, commit)
    runtime.run(nb)  # raises on any error
    assert _reader_sees(_code(nb)[0]) == [f"Installed convlib {commit}\n"]
    checks = [t for c in _code(nb)[2:] for t in _reader_sees(c)]
    assert any("not implemented yet" in t for t in checks), checks
    assert runtime.installed() == {"convlib"}  # NumPy is Colab's own


def test_on_a_colab_like_runtime_the_chapter_cell_adds_only_the_missing(
        runtime):
    url, commit = runtime.serve_locally()
    nb = _pointed_at(nbformat.read(ROOT / "book" / "how_to_use.ipynb",
                                   as_version=4), url, commit)
    runtime.run(nb)  # imports anywidget and convlib.shapes
    assert _reader_sees(_code(nb)[0]) == [
        f"Installed convlib {commit}, anywidget, mnist1d\n"]
    # torch, NumPy, matplotlib... stay the runtime's own: not reinstalled
    assert runtime.installed() == {"convlib", "anywidget", "psygnal",
                                   "mnist1d"}
