"""Run a submission in a child process and talk to it (grader side).

The child is a fresh ``python -I -S -B`` interpreter started in an
empty temporary directory, in its own session, with the environment
cleared. When the grader runs as root, the child becomes the
unprivileged user of `child_user` (owning that directory) before it
runs any submitted code. Its code is `_child.py` (see there for the limits and the
audit hook) and, where the kernel has Landlock, `_lockdown.py`. The
grader sends requests and reads replies as frames of `protocol`; a
reply larger than `protocol.MAX_FRAME`, a malformed reply, a dead child
or a child past its wall-clock deadline all raise `ChildFailed` with a
reason fit for the student.
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
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import protocol

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Limits:
    """Per-child limits: wall-clock and CPU seconds, memory in MB."""

    timeout: float = 10.0
    memory_mb: int = 1024
    fsize_mb: int = 16


class ChildFailed(Exception):
    """The child died, hung, or sent something unreadable.

    Attributes
    ----------
    status : str
        One of 'timeout', 'crashed', 'exited', 'output-limit',
        'protocol-error'.
    """

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _numpy_roots():
    package = Path(np.__file__).resolve().parent
    libs = package.parent / "numpy.libs"
    return sorted(str(p) for p in (package, libs) if p.is_dir())


def _read_roots():
    """(readable roots, unreadable roots inside them)."""
    paths = sysconfig.get_paths()
    readable = {paths["stdlib"], paths["platstdlib"]}
    # other packages, even in the base interpreter's site-packages, stay
    # unreadable: only numpy (allowed explicitly) may be imported
    hidden = {paths["purelib"], paths["platlib"]} | {
        str(Path(p) / "site-packages") for p in readable}
    return sorted(readable), sorted(hidden)


# numpy works without ctypes (it imports it inside try/except ImportError)
_NO_CTYPES = """
class _NoCtypes:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in ("ctypes", "_ctypes"):
            raise ImportError("importing ctypes is not allowed while grading")


sys.meta_path.insert(0, _NoCtypes)
"""


def child_source():
    """The program the child runs: lockdown, protocol, child loop."""
    numpy_parent = str(Path(np.__file__).resolve().parent.parent)
    # -I -S leaves only the standard library on sys.path; numpy's
    # directory is added for the import of numpy and removed after it.
    prelude = (f"import sys\nSTDLIB_PATH = list(sys.path)\n"
               f"sys.path.append({numpy_parent!r})\n{_NO_CTYPES}")
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


def _config(limits, user):
    modules = sorted(set(sys.stdlib_module_names) | {"numpy"})
    config = {"cpu": max(1, int(limits.timeout + 0.999)),
              "user": list(user) if user else None,
              "memory_mb": limits.memory_mb, "fsize_mb": limits.fsize_mb,
              "read_roots": _read_roots()[0],
              "hidden_roots": _read_roots()[1],
              "numpy_roots": _numpy_roots(), "modules": modules,
              "lockdown": landlock_abi() > 0}
    return protocol.encode(config).hex()


_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


class Child:
    """One sandboxed interpreter; use as a context manager.

    Parameters
    ----------
    limits : Limits
        `limits.timeout` is the wall-clock budget of the whole child,
        from start to its last reply; the CPU limit is the same number
        of seconds, rounded up.
    """

    def __init__(self, limits):
        self.limits = limits
        self.workdir = tempfile.mkdtemp(prefix="convlib-grade-")
        user = child_user()
        if user:  # the unprivileged child owns its working directory
            os.chown(self.workdir, *user)
        self.deadline = time.monotonic() + limits.timeout
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", "-c", child_source(),
             _config(limits, user)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=self.workdir, env=dict(_ENV),
            start_new_session=True, close_fds=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Kill the child's process group and remove its directory."""
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

    def request(self, message):
        """Send `message`, return the decoded reply (a dict)."""
        data = protocol.encode(message)
        try:
            self.process.stdin.write(protocol.LENGTH.pack(len(data)))
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._death() from None
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
                    f"time limit of {self.limits.timeout:g} s exceeded "
                    "(an infinite loop, or far too slow)"))
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
        return ChildFailed(*_explain_exit(code, self.limits))


def _explain_exit(code, limits):
    if code >= 0:
        return "exited", (
            f"the process ended early with exit code {code} (did the "
            "code call os._exit() or close the grader's pipe?)")
    number = -code
    if number in (signal.SIGXCPU, signal.SIGKILL):
        return "timeout", (
            f"CPU time limit of {limits.timeout:g} s exceeded "
            f"(killed by {signal.Signals(number).name})")
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return "crashed", (
        f"the process crashed ({name}); e.g. ctypes misuse, a stack "
        "overflow from deep recursion, or memory exhaustion")
