"""Run a submission in a child process and talk to it (grader side).

The child is a fresh ``python -I -S -B`` interpreter started in an
empty temporary directory, in its own session, with the environment
cleared. It reaches the standard library and NumPy through directory
descriptors opened here and passed to it (`_root_fds`), so grading works
from a checkout or an interpreter under a folder the child's user may
not enter. When the grader runs as root, the child becomes the
unprivileged user of `child_user` (owning that directory) before it
runs any submitted code. Its code is `_child.py` (see there for the
limits, the audit hook and the timer) and, where the kernel has
Landlock, `_lockdown.py`. The child first reports the layers of the
sandbox in force (`Child.layers`); the grader then sends requests, each
with its own time budget, and reads replies as frames of `protocol`. A
reply larger than `protocol.MAX_FRAME`, a malformed reply, a dead child
or a child past its deadline all raise `ChildFailed` with a reason fit
for the student.
"""
import functools
import os
import pwd
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import protocol

_HERE = Path(__file__).resolve().parent


# the layers the kernel enforces: a child without them is worth a warning
KERNEL_LAYERS = ("landlock", "seccomp")
STARTUP_SECONDS = 60.0   # to start Python and NumPy: no submitted code yet


@dataclass(frozen=True)
class Limits:
    """What a submission may use.

    Attributes
    ----------
    load : float
        Seconds to run the notebook's exercise cells (their top-level
        code), on top of starting the sandbox.
    time_scale : float
        Multiplies every function's time budget per call (the
        ``seconds`` of its `hidden.Function`), e.g. 2 on a slow machine.
    memory_mb, fsize_mb : int
        Address space and largest file written, in MB.
    """

    load: float = 10.0
    time_scale: float = 1.0
    memory_mb: int = 1024
    fsize_mb: int = 16


class ChildFailed(Exception):
    """The child died, hung, or sent something unreadable.

    Attributes
    ----------
    status : str
        One of 'timeout', 'crashed', 'exited', 'output-limit',
        'protocol-error', 'sandbox-error'.
    """

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _numpy_parent():
    """The folder holding the numpy package (site-packages)."""
    return str(Path(np.__file__).resolve().parent.parent)


def _numpy_roots():
    package = Path(np.__file__).resolve().parent
    libs = package.parent / "numpy.libs"
    return sorted(str(p) for p in (package, libs) if p.is_dir())


def _read_roots():
    """(readable roots, unreadable roots inside them)."""
    paths = {k: os.path.realpath(v) for k, v in sysconfig.get_paths().items()}
    readable = {paths["stdlib"], paths["platstdlib"]}
    # other packages, even in the base interpreter's site-packages, stay
    # unreadable: only numpy (allowed explicitly) may be imported
    hidden = {paths["purelib"], paths["platlib"], _numpy_parent()} | {
        str(Path(p) / "site-packages") for p in readable}
    return sorted(readable), sorted(hidden)


_ROOT_FDS = {}
_ROOT_FDS_LOCK = threading.Lock()


def _root_fds():
    """{real directory: descriptor} of the folders the child reads (the
    standard library's, the one holding NumPy), opened once here and
    passed to every child, which names them /proc/self/fd/N.

    Opened under a lock: with --jobs 2 two threads start children at
    once, and each must pass the very descriptors its child's
    configuration names (a second set, opened by the other thread, left
    one child without NumPy)."""
    with _ROOT_FDS_LOCK:
        if not _ROOT_FDS:
            for path in _read_roots()[0] + [_numpy_parent()]:
                if path not in _ROOT_FDS and os.path.isdir(path):
                    _ROOT_FDS[path] = os.open(
                        path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        return dict(_ROOT_FDS)


def _aliases():
    return {real: f"/proc/self/fd/{fd}" for real, fd in _root_fds().items()}


# numpy works without ctypes (it imports it inside try/except ImportError)
_NO_CTYPES = """
class _NoCtypes:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in ("ctypes", "_ctypes"):
            raise ImportError("importing ctypes is not allowed while grading")


sys.meta_path.insert(0, _NoCtypes)
"""
# numpy.random is imported here, before the audit hook, so that students
# may use it; the denied modules it pulls in (threading) leave sys.modules
_NUMPY = """
import numpy
import numpy.random
for _name in ("threading",):
    sys.modules.pop(_name, None)
sys.path.remove({parent!r})
"""


@functools.lru_cache(maxsize=None)
def child_source():
    """The program the child runs: lockdown, prelude, protocol, child."""
    parent = _aliases()[_numpy_parent()]
    # -I -S leaves only the standard library on sys.path; numpy's
    # folder (through the grader's descriptor) is added for the import
    # of numpy and removed after it.
    prelude = (f"import sys\nSTDLIB_PATH = list(sys.path)\n"
               f"sys.path.append({parent!r})\n{_NO_CTYPES}"
               + _NUMPY.format(parent=parent))
    return "\n".join([(_HERE / "_lockdown.py").read_text(), prelude,
                      (_HERE / "protocol.py").read_text(),
                      (_HERE / "_child.py").read_text()])


@functools.lru_cache(maxsize=None)
def landlock_abi():
    """Landlock's ABI version in this kernel, 0 if there is none."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return max(0, libc.syscall(444, None, ctypes.c_size_t(0),
                                   ctypes.c_uint32(1)))
    except (ImportError, OSError, AttributeError):
        return 0


def child_user():
    """(uid, gid) the child becomes when the grader runs as root, else None.

    It is the unprivileged user ``nobody`` (65534 where it has no entry):
    the child switches its real, effective and saved ids to it before it
    runs any submitted code, so it has no way back to uid 0."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def _config(limits, user, cpu):
    modules = sorted(set(sys.stdlib_module_names) | {"numpy"})
    readable, hidden = _read_roots()
    config = {"cpu": max(1, int(cpu + 0.999)),
              "user": list(user) if user else None,
              "memory_mb": limits.memory_mb, "fsize_mb": limits.fsize_mb,
              "read_roots": readable, "hidden_roots": hidden,
              "numpy_roots": _numpy_roots(), "modules": modules,
              "aliases": _aliases(), "lockdown": landlock_abi() > 0}
    return protocol.encode(config).hex()


_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


class Child:
    """One sandboxed interpreter; use as a context manager.

    Parameters
    ----------
    limits : Limits
        Memory and file-size limits.
    cpu : float
        CPU seconds the child may use in all (a backstop: each request
        has its own wall-clock budget, see `request`).

    Attributes
    ----------
    layers : list of str
        The layers of the sandbox in force, as the child reported them
        before running any submitted code: 'resource limits', 'landlock',
        'seccomp', 'unprivileged user' (when the grader is root), 'audit
        hook'.
    """

    def __init__(self, limits, cpu=60.0):
        if STOP.is_set():
            raise ChildFailed("sandbox-error", "grading was interrupted")
        self.limits, self.cpu = limits, cpu
        self.workdir = tempfile.mkdtemp(prefix="convlib-grade-")
        user = child_user()
        if user:  # the unprivileged child owns its working directory
            os.chown(self.workdir, *user)
        self.deadline = time.monotonic() + STARTUP_SECONDS
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", "-c", child_source(),
             _config(limits, user, cpu + STARTUP_SECONDS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=self.workdir, env=dict(_ENV),
            start_new_session=True, close_fds=True,
            pass_fds=tuple(_root_fds().values()))
        _LIVE.add(self)
        try:
            hello = self._reply()
        except ChildFailed as exc:
            self.close()
            raise ChildFailed("sandbox-error", (
                f"the sandbox could not start ({exc.reason}); this is a "
                "problem of the grading machine, not of the submission"))
        self.layers = [str(x) for x in hello.get("layers", [])]

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Kill the child's process group and remove its directory."""
        _LIVE.discard(self)
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:  # unflushed data to a dead child
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)

    def request(self, message, seconds):
        """Send `message`, return the decoded reply (a dict); the child
        has `seconds` of wall-clock time to answer."""
        data = protocol.encode(message)
        self.deadline = time.monotonic() + seconds
        try:
            self.process.stdin.write(protocol.LENGTH.pack(len(data)))
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._death() from None
        return self._reply()

    def _reply(self):
        (size,) = protocol.LENGTH.unpack(self._read(protocol.LENGTH.size))
        if size > protocol.MAX_FRAME:
            self.close()
            raise ChildFailed("output-limit", (
                f"the submission tried to send back {size} bytes, more "
                f"than the {protocol.MAX_FRAME} allowed"))
        try:
            reply = protocol.decode(self._read(size))
        except protocol.ProtocolError as exc:
            raise ChildFailed("protocol-error", (
                f"the submission corrupted the grading channel ({exc})"))
        if not isinstance(reply, dict) or "ok" not in reply:
            raise ChildFailed("protocol-error",
                              "the submission sent an unexpected reply")
        return reply

    def _read(self, size):
        fd = self.process.stdout.fileno()
        chunks, left = [], size
        while left:
            wait = self.deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                self.close()
                raise ChildFailed("timeout", (
                    "no answer in time (an infinite loop, or far too "
                    "slow); the process was stopped"))
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise self._death()
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _death(self):
        """A ChildFailed describing why the child stopped."""
        try:
            code = self.process.wait(timeout=max(
                0.1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.close()
            return ChildFailed("protocol-error",
                               "the submission closed the grading channel")
        return ChildFailed(*_explain_exit(code, self.cpu))


# children alive in this process, for `stop_all` (Ctrl-C)
_LIVE = set()
STOP = threading.Event()   # set: no child may start (cleared per run)


def stop_all():
    """Kill every child still running and let no other start (the grader
    was interrupted); `STOP.clear()` allows them again."""
    STOP.set()
    for child in list(_LIVE):
        try:
            os.killpg(child.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _explain_exit(code, cpu):
    if code >= 0:
        return "exited", (
            f"the process ended early with exit code {code} (did the "
            "code call os._exit() or close the grader's pipe?)")
    number = -code
    if number in (signal.SIGXCPU, signal.SIGKILL):
        return "timeout", (
            f"CPU time limit of {cpu:g} s exceeded, or killed "
            f"({signal.Signals(number).name})")
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return "crashed", (
        f"the process crashed ({name}); e.g. ctypes misuse, a stack "
        "overflow from deep recursion, or memory exhaustion")
