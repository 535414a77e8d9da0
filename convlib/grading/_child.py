"""Code that runs INSIDE the grading child process (never in the grader).

`sandbox.py` starts ``python -I -S -B -c <source>`` where the source is a
prelude (sys.path), then `protocol.py`, then this file, so `np`,
`encode`, `decode`, `LENGTH` and `MAX_FRAME` below come from
`protocol.py` and `STDLIB_PATH` from the prelude. The child imports
nothing of convlib. Order of events:

0. (prelude) make ctypes unimportable before numpy is imported, so no
   raw memory access or foreign calls are within reach;
1. set resource limits (CPU, address space, file size, open files);
2. move the grader's pipe to private fds, point fds 0-2 at /dev/null;
3. drop site-packages from sys.path, install the audit hook that
   allows imports of the standard library and numpy only, file access
   inside the working directory, the standard library and numpy only,
   and denies processes, signals, sockets, rlimit changes and walking
   the object graph (gc), so the hook's own state stays out of reach;
4. serve requests: ``load`` (run the submission's cells statement by
   statement), ``call`` (call one function on inputs sent by the
   grader, reply with its return value as plain arrays), ``bye``.
"""
import ast
import linecache
import os
import resource
import signal
import sys
import traceback

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
    "gc.get_objects", "gc.get_referrers", "gc.get_referents"})
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


def _set_limits(config):
    cpu = int(config["cpu"])
    memory = int(config["memory_mb"]) * 2 ** 20
    fsize = int(config["fsize_mb"]) * 2 ** 20
    for limit, value in ((resource.RLIMIT_CPU, (cpu, cpu + 1)),
                         (resource.RLIMIT_AS, (memory, memory)),
                         (resource.RLIMIT_FSIZE, (fsize, fsize)),
                         (resource.RLIMIT_CORE, (0, 0)),
                         (resource.RLIMIT_NOFILE, (64, 64))):
        resource.setrlimit(limit, value)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not death


def _take_channel():
    """Private copies of the pipe; fds 0, 1, 2 go to /dev/null."""
    channel_in, channel_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return channel_in, channel_out


def _normalise(path, workdir):
    """Absolute path with '.' and '..' resolved by string rules only."""
    if isinstance(path, bytes):
        path = path.decode("utf-8", "surrogateescape")
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


def _inside(path, roots):
    return any(path == r or path.startswith(r + "/") for r in roots)


def _make_path_check(config, workdir):
    realpath = os.path.realpath
    numpy_roots = tuple(config["numpy_roots"])
    readable = tuple(config["read_roots"]) + numpy_roots + (
        workdir, "/dev/null")
    hidden = tuple(config["hidden_roots"])

    def readable_path(path):
        return _inside(path, readable) and (
            not _inside(path, hidden) or _inside(path, numpy_roots))

    def allowed(path, write):
        # Only exact strings: a path-like or str subclass could answer
        # differently to this check than to the open() that follows.
        if isinstance(path, str):
            path = str.__add__("", path)
        elif isinstance(path, bytes):
            path = bytes.__add__(b"", path)
        else:
            return False
        plain = _normalise(path, workdir)
        resolved = realpath(plain)
        if write:
            return all(_inside(p, (workdir, "/dev/null"))
                       for p in (plain, resolved))
        return readable_path(plain) and readable_path(resolved)
    return allowed


def _open_writes(mode, flags):
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _make_hook(config, workdir):
    allowed = _make_path_check(config, workdir)
    allowed_modules = frozenset(config["modules"])

    def hook(event, args):
        if event == "import":
            name = str(args[0])
            if name.split(".")[0] not in allowed_modules or any(
                    name == d or name.startswith(d + ".")
                    for d in _DENIED_MODULES):
                raise ImportError(
                    f"importing {args[0]} is not allowed while grading: "
                    "use NumPy and the standard library only")
        elif event == "open":
            if not allowed(args[0], _open_writes(args[1], args[2])):
                raise PermissionError(
                    f"opening {args[0]!r} is not allowed while grading")
        elif event in _PATH_EVENTS:
            indices, writes = _PATH_EVENTS[event]
            for i in indices:
                if not allowed(args[i], writes):
                    raise PermissionError(
                        f"{event} on {args[i]!r} is not allowed while "
                        "grading")
        elif event in _DENIED_EVENTS:
            raise PermissionError(f"{event} is not allowed while grading")
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
    data = LENGTH.pack(len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


def _describe_error(exc):
    """'Type: message (cell N, line L)' pointing into the submission."""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<cell"):
            where = f" ({frame.filename[1:-1]}, line {frame.lineno})"
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, NotImplementedError):
        text = "not implemented yet (the cell still raises " \
               "NotImplementedError)"
    elif isinstance(exc, SystemExit):
        text = f"the code called exit() / sys.exit({exc.code!r})"
    return (text[:500] + where)


def _run_cell(index, source, namespace):
    """Run one cell statement by statement; return error texts."""
    name = f"<cell {index}>"
    linecache.cache[name] = (len(source), None,
                             source.splitlines(True), name)
    try:
        tree = ast.parse(source, filename=name)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", "?")
        return [f"cell {index} could not be parsed (line {line}): "
                f"{type(exc).__name__}: {exc}"[:500]]
    errors = []
    for statement in tree.body:
        module = ast.Module(body=[statement], type_ignores=[])
        try:
            exec(compile(module, name, "exec"), namespace)
        except BaseException as exc:  # noqa: B036 - student code
            errors.append(_describe_error(exc))
    return errors


def _call(request, namespace):
    function = namespace.get(request["name"])
    if not callable(function):
        return {"ok": False, "error": (
            f"{request['name']} is not defined: keep the function's "
            "name and run its cell")}
    setting = "raise" if request.get("strict") else "ignore"
    try:
        with np.errstate(over=setting, invalid=setting,
                            divide=setting, under="ignore"):
            value = function(*request["args"], **request["kwargs"])
    except BaseException as exc:  # noqa: B036 - student code
        return {"ok": False, "error": _describe_error(exc)}
    return {"ok": True, "value": value}


def _serve(channel_in, channel_out, namespace):
    while True:
        request = _receive(channel_in)
        if request["op"] == "load":
            errors = []
            for index, source in request["cells"]:
                errors += _run_cell(index, source, namespace)
            reply = {"ok": True, "errors": errors}
        elif request["op"] == "call":
            reply = _call(request, namespace)
        else:
            return
        _send(channel_out, reply)


def _main():
    config = decode(bytes.fromhex(sys.argv[1]))
    workdir = os.getcwd()
    _set_limits(config)
    channel_in, channel_out = _take_channel()
    sys.path[:] = STDLIB_PATH
    sys.dont_write_bytecode = True
    namespace = {"__name__": "__submission__", "np": np,
                 "numpy": np, "math": __import__("math")}
    sys.addaudithook(_make_hook(config, workdir))
    _serve(channel_in, channel_out, namespace)


_main()
