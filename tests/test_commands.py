"""Every command the README and "How to use this book" give, run as written.

Each runs twice: as root and as an ordinary user, because both are common
(containers and many cloud machines run as root; JupyterLab, for one,
refuses root without a flag). When the tests run as root the ordinary user
is ``nobody`` (``setpriv``, no groups, its own empty home); when they run
as an ordinary user, root is faked with a user namespace (``unshare -r``,
uid 0 inside), which is what JupyterLab and the grader look at.

- ``make serve`` and ``make lab`` are started, fetched over HTTP and
  stopped (the whole process group);
- ``make release-check`` and ``python -m convlib.grading release --check``
  in the repository (they write nothing);
- ``make release``, ``make setup-cell`` and ``make cjk-font`` in a copy of
  the repository that the user owns (they may write), where each must say
  what it did;
- the README's grading examples, verbatim, on two submissions (as root
  only when the tests run as root: see the test);
- the benchmark's short run (``benchmarks/bench.py --quick``), which must
  run to its end whatever its verdict on the targets (not judged on a
  shared machine).

Every command runs in a copy of the repository owned by the user (the
built book linked in; hard-linked when the checkout lives in a folder
only root may enter), with the project's environment as ``.venv``. When
the user cannot run the environment's interpreter (a venv made by root
from a Python under /root), the copy gets an equivalent one it can run: a
venv of the system's Python of the same version whose ``site`` adds the
project's site-packages, and the project's scripts with their first line
pointed at it.

``make book`` and ``make test`` are what runs these tests; the book must
be built (``make test`` builds it first).
"""
import csv
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
NOBODY = pwd.getpwnam("nobody")
IS_ROOT = os.geteuid() == 0
# files a copy of the repository needs (not the environment or the build)
NOT_COPIED = shutil.ignore_patterns(".venv", "_build", ".git", "*.pyc",
                                    "__pycache__", ".pytest_cache",
                                    ".hypothesis", "*.egg-info")


class User:
    """Runs commands as root or as an ordinary user, with its own home."""

    def __init__(self, kind, home):
        self.kind, self.home = kind, home
        self.root = kind == "root"
        if self.root:
            self.prefix = [] if IS_ROOT else ["unshare", "-r"]
        else:
            self.prefix = (["setpriv", f"--reuid={NOBODY.pw_uid}",
                            f"--regid={NOBODY.pw_gid}", "--clear-groups",
                            "--"] if IS_ROOT else [])
        self.own(home)

    def own(self, path):
        """Give `path` (a tree) to this user."""
        if IS_ROOT and not self.root:
            for p in [path, *Path(path).rglob("*")]:
                os.lchown(p, NOBODY.pw_uid, NOBODY.pw_gid)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTEST", "JUPYTER", "XDG_"))}
        env.update(HOME=str(self.home), BROWSER="true", **extra)
        return env

    def run(self, cmd, cwd, timeout=300, quiet=False, **extra):
        """Run `cmd` to its end; the CompletedProcess, text captured."""
        started = time.monotonic()
        done = subprocess.run(self.prefix + cmd, cwd=cwd, text=True,
                              capture_output=True, env=self.env(**extra),
                              timeout=timeout)
        done.seconds = time.monotonic() - started
        if not quiet:  # pytest -s shows the times
            shown = " ".join(cmd).splitlines()[0]
            print(f"[{self.kind}] {shown}: {done.seconds:.1f} s, "
                  f"exit {done.returncode}")
        return done

    def start(self, cmd, cwd, **extra):
        """Start `cmd` in its own process group; stderr merged in."""
        return subprocess.Popen(self.prefix + cmd, cwd=cwd, text=True,
                                env=self.env(**extra), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)


@pytest.fixture
def tmp_path():
    """A temporary folder every user can reach (pytest's own is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="test-commands-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(params=["root", "user"])
def user(request, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    if request.param == "root" and not IS_ROOT:
        assert subprocess.run(["unshare", "-r", "true"]).returncode == 0, (
            "these tests fake root with `unshare -r`; not available here")
    return User(request.param, home)


def _runs(user, python):
    """True if `user` can start the interpreter `python`."""
    return user.run(["sh", "-c", 'exec "$0" -c pass', str(python)],
                    "/", quiet=True).returncode == 0


def _reads(user, path):
    """True if `user` can list the folder `path`."""
    return user.run(["ls", str(path)], "/", quiet=True).returncode == 0


def _linked_copy(source, target):
    """`source` (a tree) at `target` as hard links: no data copied."""
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    return target


def _environment(user, dest):
    """Give `dest` a `.venv` with the project's packages that `user` runs."""
    venv = ROOT / ".venv"
    if _runs(user, venv / "bin" / "python"):
        (dest / ".venv").symlink_to(venv)
        return
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    base = next((p for p in (f"/usr/bin/python{version}",
                             f"/usr/local/bin/python{version}")
                 if Path(p).is_file() and _runs(user, p)), None)
    assert base, f"no Python {version} that {user.kind} can run"
    shadow = dest / ".venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(shadow)],
                   check=True)
    site = next(shadow.glob("lib/python3*/site-packages"))
    packages = next(venv.glob("lib/python3*/site-packages"))
    if not _reads(user, packages):
        # the checkout lives in a folder only root may enter (mktemp -d):
        # the user gets the same files through hard links in a folder it
        # can reach, and no folder's permissions are loosened
        packages = _linked_copy(packages, dest.parent / "site-packages")
    # convlib from the user's copy (the editable install points at ROOT)
    (site / "project.pth").write_text(
        f"import site; site.addsitedir({str(packages)!r})\n"
        f"import sys; sys.path.append({str(dest)!r})\n")
    for script in (venv / "bin").iterdir():
        text = script.read_bytes()
        if script.is_file() and not script.is_symlink() and \
                text.startswith(b"#!" + bytes(venv)):
            copied = shadow / "bin" / script.name
            copied.write_bytes(b"#!" + bytes(shadow / "bin" / "python")
                               + text[text.index(b"\n"):])
            copied.chmod(0o755)
    (shadow / ".installed").touch()  # the Makefile's stamp: up to date


@pytest.fixture
def repo(user, tmp_path):
    """A copy of the repository that `user` owns, the built book linked in
    and the project's environment as `.venv`."""
    dest = tmp_path / "repo"
    shutil.copytree(ROOT, dest, ignore=NOT_COPIED)
    if _reads(user, ROOT / "_build"):
        (dest / "_build").symlink_to(ROOT / "_build")
    else:  # a checkout only root may enter: the built book as hard links
        # (beside the copy, so that `own` below changes no file's owner)
        built = dest.parent / "_build"
        built.mkdir()
        _linked_copy(ROOT / "_build" / "html", built / "html")
        (dest / "_build").symlink_to(built)
    _environment(user, dest)
    user.own(dest)
    return dest


def _stop(proc):
    """Stop the process group of `proc`; fail if anything of it is left."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("the command did not stop on SIGTERM")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until no process of it is left
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("a process of the command outlived SIGTERM by 30 s")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.status, answer.read().decode("utf-8", "replace")


def _poll(url, proc, seconds=90):
    """GET `url` until it answers; fail if `proc` ends or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the command ended: {proc.returncode}"
        try:
            return _get(url)
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s")


# --- every documented make target exists -------------------------------------

def _how_to_text():
    import nbformat

    nb = nbformat.read(ROOT / "book" / "how_to_use.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_every_documented_make_target_exists():
    text = README + _how_to_text() + (ROOT / "CONTRIBUTING.md").read_text()
    targets = set(re.findall(r"`make ([a-z][\w-]*)", text))
    targets |= set(re.findall(r"^make ([a-z][\w-]*)", text, re.M))
    assert {"book", "test", "lab", "serve", "bench", "release",
            "release-check", "cjk-font", "setup-cell"} <= targets
    for target in sorted(targets):
        done = subprocess.run(["make", "-n", target], cwd=ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, f"make {target}: {done.stderr}"
    assert "make release --check" not in text.replace(
        "`make release --check` does not work", "")


# --- reading and running the book -------------------------------------------

def test_make_serve_serves_the_built_book(user, repo):
    assert (ROOT / "_build" / "html" / "index.html").is_file(), (
        "build the book first (make book; make test does it)")
    port = _free_port()
    started = time.monotonic()
    proc = user.start(["make", "serve", f"PORT={port}"], repo)
    try:
        status, page = _poll(f"http://127.0.0.1:{port}/", proc)
        assert status == 200 and "intro.html" in page
        status, intro = _get(f"http://127.0.0.1:{port}/book/intro.html")
        assert status == 200 and "CNN Layers, Interactively" in intro
        print(f"[{user.kind}] make serve answered in "
              f"{time.monotonic() - started:.1f} s")
    finally:
        _stop(proc)


def test_make_lab_starts_jupyterlab(user, repo):
    assert "make lab" in README
    started = time.monotonic()
    proc = user.start(["make", "lab"], repo)
    try:
        lines, url = [], None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "".join(lines)
            lines.append(line)
            assert "Running as root is not recommended" not in line
            found = re.search(r"(http://(?:127\.0\.0\.1|localhost):\d+/lab"
                              r"\?token=\w+)", line)
            url = found and found.group(1)
        assert url, "".join(lines)
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        # the server logs its address a moment before it accepts
        status, page = _poll(url, proc)
        assert status == 200 and "JupyterLab" in page
        status, _ = _get(url.replace("/lab?", "/api/contents/chapters?"),
                         timeout=30)
        assert status == 200
        print(f"[{user.kind}] make lab answered in "
              f"{time.monotonic() - started:.1f} s")
    finally:
        _stop(proc)


# --- exercises ---------------------------------------------------------------

def test_the_release_check_passes_as_documented(user, repo):
    assert "make release-check" in README
    assert "python -m convlib.grading release --check" in README
    for cmd in (["make", "release-check"],
                [".venv/bin/python", "-m", "convlib.grading", "release",
                 "--check"]):
        done = user.run(cmd, repo)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "all released notebooks are up to date" in done.stdout


def _readme_blocks(pattern):
    """The ```sh blocks of the README in which `pattern` (a regular
    expression) is found."""
    return [b for b in re.findall(r"```sh\n(.*?)```", README, re.S)
            if re.search(pattern, b)]


# Root only when it is real: as root the grader switches each child to
# `nobody`, which a user namespace made by `unshare -r` (uid 0 mapped, no
# other) cannot do.
@pytest.mark.parametrize("user", ["root", "user"] if IS_ROOT else ["user"],
                         indirect=True)
def test_the_readme_grading_examples_run(user, repo, tmp_path):
    # `grade` examples (Gradescope's run_autograder runs on its machine)
    blocks = _readme_blocks(r"convlib\.grading grade\b")
    assert blocks, "the README shows no grading example"
    work = tmp_path / "course"
    (work / "submissions").mkdir(parents=True)
    (work / ".venv").symlink_to(repo / ".venv")
    shutil.copy(ROOT / "exercises" / "source" / "05_pooling.ipynb",
                work / "submissions" / "solved.ipynb")
    shutil.copy(ROOT / "exercises" / "05_pooling.ipynb",
                work / "submissions" / "blank.ipynb")
    user.own(work)
    for block in blocks:
        shutil.rmtree(work / "grades", ignore_errors=True)
        done = user.run(["bash", "-e", "-c", block], work)
        assert done.returncode == 0, done.stdout + done.stderr
        with open(work / "grades" / "gradebook.csv", newline="") as f:
            rows = {Path(r["submission"]).name: r
                    for r in csv.DictReader(f)}
        solved, blank = rows["solved.ipynb"], rows["blank.ipynb"]
        assert solved["exercise"] == blank["exercise"] == "05_pooling"
        assert solved["status"] == "ok"
        assert float(solved["points"]) == float(solved["max_points"]) > 0
        assert float(blank["points"]) == 0


# --- maintenance commands, on a copy the user owns ---------------------------

def _snapshot(tree):
    """{path: bytes} of the files of `tree`, its environment and book left
    out (os.walk does not follow the links)."""
    files = {}
    for folder, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in (".venv", "_build",
                                                "__pycache__")]
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink():
                files[path.relative_to(tree)] = path.read_bytes()
    return files


def test_writing_commands_say_what_they_did(user, repo):
    copy = repo
    before = _snapshot(copy)
    said = {}
    for target in ("release", "setup-cell", "cjk-font"):
        done = user.run(["make", target], copy, XDG_CACHE_HOME=str(
            user.home / ".cache"))
        assert done.returncode == 0, done.stdout + done.stderr
        said[target] = done.stdout
    assert "all released notebooks are up to date" in said["release"]
    assert re.search(r"0 notebook\(s\) rewritten, \d+ already up to date",
                     said["setup-cell"])
    assert "nothing to do (nothing downloaded)" in said["cjk-font"]
    assert _snapshot(copy) == before, "an up-to-date run changed files"
    # pinning another release rewrites every set-up cell, and says so
    done = user.run(["make", "setup-cell", "REF=v9.9.9"], copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"at v9\.9\.9: [1-9]\d* notebook\(s\) rewritten",
                     done.stdout)
    assert "written:" in done.stdout  # the exercises, by make release
    released = (copy / "exercises" / "05_pooling.ipynb").read_text()
    assert 'REF = \\"v9.9.9\\"' in released  # JSON-escaped quotes


# --- the benchmark's short run -----------------------------------------------

@pytest.mark.parametrize("user", ["user"], indirect=True)
def test_the_benchmark_short_run_runs_to_its_end(user, repo):
    """Once, as an ordinary user, as the README writes it: only that it
    runs and says it reports without judging (tests/test_bench.py checks
    what it reports); its figures are never judged here."""
    done = user.run(["make", "bench", "BENCH_FLAGS=--smoke"], repo,
                    timeout=600)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "it does not judge" in done.stdout
