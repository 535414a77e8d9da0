"""Code that runs INSIDE the grading child process (never in the grader).

`sandbox.py` starts ``python -I -S -B -c <source>`` where the source is
`_lockdown.py`, a prelude (sys.path, numpy), `protocol.py`, then this
file, so `lockdown` comes from `_lockdown.py`, `np`, `encode`, `decode`,
`LENGTH`, `MAX_FRAME` and `MAX_HEADER` from `protocol.py` and
`STDLIB_PATH` and `_NoCtypes` from the prelude. The child imports
nothing of convlib. The grader opened the directories it may read
(standard library, the folder holding NumPy) and passed their
descriptors: the child names them ``/proc/self/fd/N`` (``config
['aliases']``), so it reaches them even where their real path lies under
a folder its user may not enter (/root, a ``mktemp -d``). Order:

0. (prelude) make ctypes unimportable, then import numpy and
   numpy.random through the grader's descriptor;
1. set resource limits (CPU, address space, file size, open files,
   processes);
2. if the grader found Landlock in the kernel, `lockdown`: from now on
   the kernel itself denies files outside the standard library, numpy
   and the working directory, processes, threads, sockets and signals
   to others, whatever the Python code does (see `_lockdown.py`);
2b. if the grader runs as root, become the unprivileged user it chose
   (`_drop_privileges`): real, effective and saved ids, no groups, so
   there is no way back to uid 0;
3. move the grader's pipe to private fds, point fds 0-2 at /dev/null;
4. drop site-packages from sys.path, install the audit hook that
   allows imports of the standard library and numpy only, file access
   (by absolute path) inside the working directory, the standard
   library and numpy only, and denies processes, threads, signals,
   sockets, rlimit changes, replacing a function's code and walking
   the object graph (gc); its state is out of the student's reach (see
   the comment above `_exact`);
5. tell the grader which layers are in force (a ``hello`` reply, sent
   before any submitted code runs), then serve requests: ``load`` (run
   the submission's cells statement by statement within a time budget),
   ``call`` (call one function on inputs sent by the grader within its
   time budget, reply with its return value as plain arrays), ``bye``.

A budget is kept by a SIGALRM timer that raises `_TimeLimit` inside the
submitted code, so the reply can name the cell and line that was
running; the grader's own deadline, a little later, kills the child if
that does not work (C code that never returns, a caught interrupt).
"""
import ast
import linecache
import os
import resource
import signal
import sys
import traceback
from types import MappingProxyType

_DENIED_EVENTS = frozenset({
    "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn",
    "os.system", "os.startfile", "subprocess.Popen", "os.kill",
    "os.killpg", "signal.pthread_kill", "socket.__new__",
    "socket.connect", "socket.bind", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.sendto", "ctypes.dlopen",
    "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.string_at",
    "ctypes.wstring_at", "ctypes.PyObj_FromPtr", "ctypes.cdata",
    "ctypes.call_function", "resource.setrlimit", "resource.prlimit",
    "os.symlink", "os.link", "os.chdir", "os.chroot", "pty.spawn",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "_thread.start_new_thread"})
_PATH_EVENTS = {  # event -> (indices of path arguments, writes?)
    "os.listdir": ((0,), False), "os.scandir": ((0,), False),
    "glob.glob": ((0,), False), "glob.glob/2": ((0,), False),
    "os.mkdir": ((0,), True), "os.remove": ((0,), True),
    "os.rmdir": ((0,), True), "os.rename": ((0, 1), True),
    "os.truncate": ((0,), True), "os.utime": ((0,), True),
    "os.chmod": ((0,), True), "os.chown": ((0,), True),
    "os.mkfifo": ((0,), True), "os.mknod": ((0,), True),
    "shutil.rmtree": ((0,), True)}
_DENIED_MODULES = frozenset({
    "subprocess", "multiprocessing", "socket", "_socket", "ssl", "_ssl",
    "_posixsubprocess", "pty", "threading", "concurrent", "asyncio",
    "ctypes", "_ctypes", "urllib.request", "http", "ftplib", "smtplib",
    "imaplib", "poplib", "xmlrpc", "socketserver", "webbrowser", "mmap",
    "select", "selectors", "fcntl", "resource", "signal", "pickle",
    "_pickle", "shelve", "dbm", "sqlite3", "_sqlite3", "venv",
    "ensurepip", "idlelib", "tkinter", "_tkinter", "turtle", "gc",
    "_testcapi", "_testinternalcapi", "_testbuffer", "_testmultiphase",
    "_xxsubinterpreters", "_xxinterpchannels"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC
# replacing these would change what the hook's helpers do
_FUNCTION_ATTRS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})


def _set_limits(config):
    cpu = int(config["cpu"])
    memory = int(config["memory_mb"]) * 2 ** 20
    fsize = int(config["fsize_mb"]) * 2 ** 20
    for limit, value in ((resource.RLIMIT_CPU, (cpu, cpu + 1)),
                         (resource.RLIMIT_AS, (memory, memory)),
                         (resource.RLIMIT_FSIZE, (fsize, fsize)),
                         (resource.RLIMIT_CORE, (0, 0)),
                         (resource.RLIMIT_NPROC, (0, 0)),
                         (resource.RLIMIT_NOFILE, (64, 64))):
        resource.setrlimit(limit, value)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not death


def _aliased(paths, aliases):
    """`paths` followed by their names through `aliases` ({real
    directory: '/proc/self/fd/N'})."""
    extra = []
    for path in paths:
        for real, alias in aliases.items():
            if path == real or path.startswith(real + "/"):
                extra.append(alias + path[len(real):])
    return list(paths) + extra


def _through_aliases(config):
    """Name every readable place through the grader's descriptors too:
    the audit hook's roots (real and alias names), sys.path and the
    search paths of packages already imported (aliases only), so that
    no later import needs to walk the real path."""
    aliases = config["aliases"]
    for key in ("read_roots", "hidden_roots", "numpy_roots"):
        config[key] = _aliased(config[key], aliases)
    sys.path[:] = _aliased(STDLIB_PATH, aliases)[len(STDLIB_PATH):] \
        or STDLIB_PATH
    for module in list(sys.modules.values()):
        path = getattr(module, "__path__", None)
        if isinstance(path, list):
            path[:] = _aliased(path, aliases)[len(path):] or path
    sys.path_importer_cache.clear()


def _drop_privileges(config):
    """Become config['user'] (uid, gid) for good (when the grader is
    root); with no user nothing changes."""
    if not config.get("user"):
        return False
    uid, gid = config["user"]
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("could not leave uid 0")
    return True


def _take_channel():
    """Private copies of the pipe; fds 0, 1, 2 go to /dev/null."""
    channel_in, channel_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return channel_in, channel_out


# The audit hook is the child's Python-level guard, and the student's
# code runs in the same interpreter: it can rebind any global of this
# module, patch builtins and modules, and read the frame of the hook
# from the traceback of an exception the hook raised. So the hook looks
# up no global or builtin name when it runs: everything it uses is
# captured when it is made, as immutable values (tuples, frozensets,
# strings, built-in functions and types) and the helpers below, which
# use only their arguments and are passed everything they call. The
# hook also forbids replacing a function's code or defaults, and it
# calls no method of an object it is given: paths and names are first
# copied into exact `str`s. The kernel backs all this (`_lockdown.py`).

def _exact(value, kinds):
    """`value` as an exact str (bytes decoded) or None; no user code."""
    str_, bytes_, type_, issubclass_, _ = kinds
    kind = type_(value)
    if issubclass_(kind, str_):
        return str_.__add__("", value)
    if issubclass_(kind, bytes_):
        return bytes_.__add__(b"", value).decode(
            "utf-8", "surrogateescape")
    return None


def _normalise(path, workdir):
    """Absolute path with '.' and '..' resolved by string rules only."""
    if not path.startswith("/"):
        path = workdir + "/" + path
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/" + "/".join(parts)


def _resolve(path, lstat, readlink):
    """Normalised `path` with its symlinks resolved (None: a loop)."""
    done, rest, hops = "", path.split("/"), 40
    while rest:
        part = rest.pop(0)
        if part == "..":
            done = done[:done.rfind("/")]
        elif part not in ("", "."):
            try:
                mode = lstat(done + "/" + part).st_mode
                link = mode & 0o170000 == 0o120000
            except:  # noqa: E722 - no name lookup: missing, denied...
                link = False
            if not link:
                done = done + "/" + part
            elif not hops:
                return None
            else:
                target, hops = readlink(done + "/" + part), hops - 1
                done = "" if target.startswith("/") else done
                rest = target.split("/") + rest
    return done or "/"


def _inside(path, roots):
    for root in roots:
        if path == root or path.startswith(root + "/"):
            return True
    return False


def _is_dir(path, lstat, missing):
    """Is `path` a directory: True, False, or None when it cannot be
    examined (permission denied, a loop)."""
    try:
        return lstat(path).st_mode & 0o170000 == 0o040000
    except missing:
        return False
    except:  # noqa: E722 - no name lookup
        return None


def _path_ok(path, write, opening, tools):
    """May the child open `path` (for writing)? Runs no student code.

    The path must be absolute: a relative one may be meant relative to a
    directory descriptor (dir_fd=, which the 'open' event does not show)
    rather than to the working directory. An 'open' event (`opening`)
    may not be for a directory (os.open(dir) would give such a
    descriptor), nor for a path that cannot be examined under either of
    its names."""
    path = tools["exact"](path, tools["kinds"])
    if path is None or not path.startswith("/"):
        return False
    plain = tools["normalise"](path, tools["workdir"])
    resolved = tools["resolve"](plain, *tools["os"][:2])
    # through /proc/self/fd/N (see `_drop_privileges`) only a stat that
    # follows the link sees a directory
    is_dir, (lstat, _, stat) = tools["is_dir"], tools["os"]
    if resolved is None:
        return False
    if opening:
        # no directory; and a path neither name of which can be examined
        # counts as one
        found = (is_dir(resolved, lstat, tools["missing"]),
                 is_dir(plain, stat, tools["missing"]))
        if True in found or found == (None, None):
            return False
    inside, (readable, hidden, numpy, writable) = (tools["inside"],
                                                   tools["roots"])
    for p in (plain, resolved):
        if write:
            ok = inside(p, writable)
        else:
            ok = inside(p, readable) and (
                not inside(p, hidden) or inside(p, numpy))
        if not ok:
            return False
    return True


def _writes(mode, flags, kinds, write_flags):
    """Does an 'open' event's mode or flags allow writing?"""
    str_, _, type_, issubclass_, int_ = kinds
    if issubclass_(type_(mode), str_):
        for c in str_.__add__("", mode):
            if c in "wax+":
                return True
        return False
    if issubclass_(type_(flags), int_):
        return int_.__and__(flags, write_flags) != 0
    return True


def _hook_tools(config, workdir):
    """Everything the hook and its helpers use, in a read-only mapping."""
    numpy_roots = tuple(config["numpy_roots"])
    writable = (workdir, "/dev/null")
    roots = (tuple(config["read_roots"]) + numpy_roots + writable,
             tuple(config["hidden_roots"]), numpy_roots, writable)
    return MappingProxyType(dict(
        workdir=workdir, roots=roots,
        os=(os.lstat, os.readlink, os.stat),
        kinds=(str, bytes, type, issubclass, int), exact=_exact,
        normalise=_normalise, resolve=_resolve, inside=_inside,
        is_dir=_is_dir,
        path_ok=_path_ok, event_paths=_event_paths, writes=_writes,
        write_flags=_WRITE_FLAGS, function_attrs=_FUNCTION_ATTRS,
        modules=frozenset(config["modules"]),
        denied_modules=tuple(_DENIED_MODULES), denied=_DENIED_EVENTS,
        path_events=MappingProxyType(dict(_PATH_EVENTS)),
        import_error=ImportError, error=PermissionError, repr=repr,
        missing=FileNotFoundError))


def _check_import(name, tools):
    """Raise ImportError unless `name` is standard library or NumPy."""
    name = tools["exact"](name, tools["kinds"])
    if name is not None and name.split(".")[0] in tools["modules"]:
        for denied in tools["denied_modules"]:
            if name == denied or name.startswith(denied + "."):
                raise tools["import_error"](
                    f"importing {name} is not allowed while grading: it "
                    "reaches threads, processes, the network, signals or "
                    "the interpreter's internals. NumPy (np.random "
                    "included) and the rest of the standard library are "
                    "allowed")
        return
    raise tools["import_error"](
        f"importing {name} is not allowed while grading: only NumPy "
        "(np.random included) and the standard library are")


def _event_paths(event, args, tools):
    """[(path, write?, open?)] an event touches, None if it is denied."""
    if event == "open":
        return [(args[0], tools["writes"](args[1], args[2], tools["kinds"],
                                          tools["write_flags"]), True)]
    if event in tools["path_events"]:
        indices, write = tools["path_events"][event]
        return [(args[i], write, False) for i in indices]
    if event in tools["denied"]:
        return None
    if event == "object.__setattr__" and tools["exact"](
            args[1], tools["kinds"]) in tools["function_attrs"]:
        return None
    return []


def _check_event(event, args, tools):
    """Raise PermissionError if the event (not an import) is denied."""
    paths = tools["event_paths"](event, args, tools)
    if paths is None:
        raise tools["error"](f"{event} is not allowed while grading")
    for path, write, opening in paths:
        if not tools["path_ok"](path, write, opening, tools):
            shown = tools["repr"](tools["exact"](path, tools["kinds"]))
            action = "opening" if event == "open" else f"{event} on"
            raise tools["error"](
                f"{action} {shown} is not allowed while grading")


def _make_hook(config, workdir):
    """The audit hook; see the comment above `_exact`."""
    tools = _hook_tools(config, workdir)
    check_import, check_event = _check_import, _check_event

    def hook(event, args):
        if event == "import":
            check_import(args[0], tools)
        else:
            check_event(event, args, tools)
    return hook


def _read_exact(fd, size):
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("grader closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(fd):
    (size,) = LENGTH.unpack(_read_exact(fd, LENGTH.size))
    return decode(_read_exact(fd, size))


def _array_bytes(value):
    """Total size of the arrays in a reply, before encoding it."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (tuple, list)):
        return sum(_array_bytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_array_bytes(v) for v in value.values())
    return 0


def _too_big(size):
    return {"ok": False, "error": (
        f"the function returned {size / 2 ** 20:.0f} MB, more than the "
        f"{MAX_FRAME / 2 ** 20:.0f} MB allowed")}


def _send(fd, message):
    size = _array_bytes(message)
    if size > MAX_FRAME:
        message = _too_big(size)
    try:
        payload = encode(message)
    except Exception as exc:
        payload = encode({"ok": False, "error": (
            "the function returned something that is not numbers, "
            f"arrays, lists or tuples: {exc}")})
    if len(payload) > MAX_FRAME:
        payload = encode(_too_big(len(payload)))
    elif LENGTH.unpack_from(payload)[0] > MAX_HEADER:
        payload = encode({"ok": False, "error": (
            "the function returned too many numbers outside NumPy "
            "arrays (long lists): return an array instead")})
    data = LENGTH.pack(len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


def _where(exc):
    """' (cell N, line L, in NAME: CODE)' for the innermost frame of the
    submission in the traceback of `exc`, or ''."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<cell"):
            found = frame
    if found is None:
        return ""
    name = "" if found.name == "<module>" else f", in {found.name}"
    code = (found.line or "").strip()
    code = f": {code[:80]}" if code else ""
    return f" ({found.filename[1:-1]}, line {found.lineno}{name}{code})"


def _describe_error(exc):
    """'Type: message (cell N, line L, in NAME: CODE)' for the student."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, NotImplementedError):
        text = "not implemented yet (the cell still raises " \
               "NotImplementedError)"
    elif isinstance(exc, SystemExit):
        text = f"the code called exit() / sys.exit({exc.code!r})"
    return text[:500] + _where(exc)


class _TimeLimit(BaseException):
    """Raised into the submitted code when its time budget is spent."""


# [running submitted code?, budget spent?]; the handler only interrupts
# submitted code, never the child's own (a reply half written)
_TIMER = [False, False]


def _alarm(signum, frame):
    if _TIMER[0]:
        _TIMER[1] = True
        raise _TimeLimit()


def _arm(seconds):
    """Interrupt the submitted code after `seconds`, then every 0.2 s
    (in case it catches the interruption)."""
    _TIMER[1] = False
    signal.setitimer(signal.ITIMER_REAL, max(0.001, float(seconds)), 0.2)


def _disarm():
    _TIMER[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)


def _submitted(run):
    """('ok', value), ('error', exc) or ('timeout', exc) of `run()`, the
    submitted code, with the timer allowed to interrupt it."""
    try:
        _TIMER[0] = True
        try:
            value = run()
        finally:
            _TIMER[0] = False
        return ("timeout", None) if _TIMER[1] else ("ok", value)
    except _TimeLimit as exc:
        return "timeout", exc
    except BaseException as exc:  # noqa: B036 - student code
        return ("timeout" if _TIMER[1] else "error"), exc


# what may still run once the notebook's load budget is spent: the
# statements that only define names
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                ast.Import, ast.ImportFrom)


def _defines_only(statement):
    if isinstance(statement, _DEFINITIONS):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return not any(isinstance(node, (ast.Call, ast.comprehension,
                                         ast.Lambda, ast.Await))
                       for node in ast.walk(statement))
    return False


def _statements(index, source):
    """(module ASTs of one cell's statements, error texts)."""
    name = f"<cell {index}>"
    linecache.cache[name] = (len(source), None,
                             source.splitlines(True), name)
    try:
        tree = ast.parse(source, filename=name)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", "?")
        return [], [f"cell {index} could not be parsed (line {line}): "
                    f"{type(exc).__name__}: {exc}"[:500]]
    return [(name, s) for s in tree.body], []


def _load(cells, seconds, namespace):
    """Run the cells statement by statement within `seconds`; once the
    budget is spent, only the statements that define names run.
    Returns the error texts."""
    errors, late, skipped = [], None, 0
    _arm(seconds)
    try:
        for index, source in cells:
            statements, problems = _statements(index, source)
            errors += problems
            for name, statement in statements:
                if late is not None and not _defines_only(statement):
                    skipped += 1
                    continue
                module = ast.Module(body=[statement], type_ignores=[])
                status, exc = _submitted(lambda: exec(
                    compile(module, name, "exec"), namespace))
                if status == "timeout" and late is None:
                    _disarm()
                    _TIMER[1] = False
                    late = _where(exc) if exc is not None else ""
                elif status == "error":
                    errors.append(_describe_error(exc))
    finally:
        _disarm()
    if late is not None:
        errors.insert(0, (
            f"the notebook's code ran longer than its budget of "
            f"{seconds:g} s and was stopped{late}; {skipped} later "
            "statement(s) other than definitions were skipped: move slow "
            "tests out of the exercise cells")[:700])
    return errors


def _call(request, namespace):
    function = namespace.get(request["name"])
    if not callable(function):
        return {"ok": False, "error": (
            f"{request['name']} is not defined: keep the function's "
            "name and run its cell")}
    setting = "raise" if request.get("strict") else "ignore"
    seconds = float(request["seconds"])

    def run():
        with np.errstate(over=setting, invalid=setting,
                         divide=setting, under="ignore"):
            return function(*request["args"], **request["kwargs"])
    _arm(seconds)
    try:
        status, value = _submitted(run)
    finally:
        _disarm()
    if status == "timeout":
        where = _where(value) if value is not None else ""
        return {"ok": False, "timeout": True, "error": (
            f"time limit of {seconds:g} s per call exceeded: stopped"
            f"{where or ' (after it returned)'}")}
    if status == "error":
        return {"ok": False, "error": _describe_error(value)}
    return {"ok": True, "value": value}


def _serve(channel_in, channel_out, namespace):
    while True:
        request = _receive(channel_in)
        if request["op"] == "load":
            errors = _load(request["cells"], request["seconds"], namespace)
            reply = {"ok": True, "errors": errors}
        elif request["op"] == "call":
            reply = _call(request, namespace)
        else:
            return
        _send(channel_out, reply)


def _lock_down(config, workdir):
    """The kernel's layers (`_lockdown.py`); ctypes is lent to them only.

    NumPy was imported without ctypes, before Landlock hides the system
    libraries it loads."""
    if not config["lockdown"]:
        return []
    sys.meta_path.remove(_NoCtypes)
    try:
        return lockdown(config["read_roots"] + config["numpy_roots"],
                        config["hidden_roots"], workdir)
    finally:
        sys.meta_path.insert(0, _NoCtypes)


def _main():
    config = decode(bytes.fromhex(sys.argv[1]))
    workdir = os.getcwd()
    _set_limits(config)
    signal.signal(signal.SIGALRM, _alarm)
    _through_aliases(config)
    layers = ["resource limits"] + _lock_down(config, workdir)
    if _drop_privileges(config):
        layers.append("unprivileged user")
    channel_in, channel_out = _take_channel()
    sys.dont_write_bytecode = True
    namespace = {"__name__": "__submission__", "np": np,
                 "numpy": np, "math": __import__("math")}
    sys.addaudithook(_make_hook(config, workdir))
    layers.append("audit hook")
    _send(channel_out, {"ok": True, "layers": layers})
    _serve(channel_in, channel_out, namespace)


_main()
