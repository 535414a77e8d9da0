"""Kernel-enforced limits for the grading child (Linux; best effort).

Runs INSIDE the child, pasted into its prelude by `sandbox.child_source`
before NumPy is imported. The audit hook of `_child.py` is plain Python
living in the same interpreter as the student's code, so it is backed
by two restrictions the kernel enforces whatever that code does:

- Landlock: files can be read only under the standard library and
  NumPy (not site-packages) and in the working directory, written only
  in the working directory, nothing can be executed; no TCP bind or
  connect; no signals to processes outside the child (kernel >= 6.12).
- seccomp: no fork, clone (so no threads either), exec, sockets,
  signals, ptrace, namespaces, mounts, raising rlimits, io_uring or
  bpf: these fail with EPERM.

`lockdown()` imports ctypes for the system calls and then removes it
from ``sys.modules``; it returns the names of the layers in force.
Once loaded, ``_ctypes`` stays in the interpreter's cache of extension
modules, where ``_imp.create_dynamic`` can find it again without an
audit event: so the child only calls `lockdown` when the grader found
Landlock available (`sandbox.landlock_abi`), and then the kernel, not
the audit hook, is what keeps files, processes and the network out of
reach.
"""
import os
import struct
import sys

_SYS = {  # machine -> (audit arch, {name: number})
    "x86_64": (0xC000003E, dict(
        socket=41, socketpair=53, clone=56, fork=57, vfork=58, execve=59,
        kill=62, ptrace=101, tkill=200, mount=165, umount2=166,
        chroot=161, pivot_root=155, unshare=272, setns=308,
        process_vm_readv=310, process_vm_writev=311, bpf=321,
        execveat=322, perf_event_open=298, io_uring_setup=425,
        clone3=435, userfaultfd=323, keyctl=250, setrlimit=160,
        prlimit64=302, tgkill=234, rt_sigqueueinfo=129,
        rt_tgsigqueueinfo=297, pidfd_open=434, pidfd_send_signal=424,
        pidfd_getfd=438)),
    "aarch64": (0xC00000B7, dict(
        socket=198, socketpair=199, clone=220, execve=221, kill=129,
        ptrace=117, tkill=130, mount=40, umount2=39, chroot=51,
        pivot_root=41, unshare=97, setns=268, process_vm_readv=270,
        process_vm_writev=271, bpf=280, execveat=281,
        perf_event_open=241, io_uring_setup=425, clone3=435,
        userfaultfd=282, keyctl=219, setrlimit=164, prlimit64=261,
        tgkill=131, rt_sigqueueinfo=138, rt_tgsigqueueinfo=240,
        pidfd_open=434, pidfd_send_signal=424, pidfd_getfd=438)),
}
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_RET_ALLOW, _RET_EPERM, _RET_KILL = 0x7FFF0000, 0x00050001, 0x80000000
_LL_CREATE, _LL_ADD_RULE, _LL_RESTRICT = 444, 445, 446
# Landlock access rights (linux/landlock.h)
_WRITE_FILE, _READ_FILE, _READ_DIR, _TRUNCATE = 2, 4, 8, 1 << 14
_REMOVE_DIR, _REMOVE_FILE, _MAKE_DIR, _MAKE_REG = 16, 32, 128, 256
_FILE_RIGHTS = 1 | _WRITE_FILE | _READ_FILE | _TRUNCATE | (1 << 15)
_LL_READ = _READ_FILE | _READ_DIR
_LL_FILE_RW = _WRITE_FILE | _READ_FILE | _TRUNCATE
_LL_WORKDIR = (_LL_FILE_RW | _READ_DIR | _REMOVE_DIR | _REMOVE_FILE
               | _MAKE_DIR | _MAKE_REG)


_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06   # BPF opcodes


def _assemble(program):
    """BPF bytes of [(label, opcode, true label, false label, k)]."""
    where = {p[0]: i for i, p in enumerate(program) if p[0]}
    return b"".join(
        struct.pack("HBBI", code, where[jt] - i - 1 if jt else 0,
                    where[jf] - i - 1 if jf else 0, k)
        for i, (_, code, jt, jf, k) in enumerate(program))


_TO_SELF = ("kill", "tkill", "tgkill")   # allowed to the child itself


def _bpf(arch, table, pid):
    """A seccomp filter: EPERM for the calls of `table`, except prlimit64
    reading a limit and signals the child sends itself; a foreign arch
    kills the process."""
    numbers = sorted(n for name, n in table.items()
                     if name != "prlimit64" and name not in _TO_SELF)
    program = [(None, _LD, None, None, 4), (None, _JEQ, "ok", "kill", arch),
               ("ok", _LD, None, None, 0),
               (None, _JGE, "deny", None, 0x40000000),   # x32 calls
               (None, _JEQ, "prlimit", None, table["prlimit64"])]
    program += [(None, _JEQ, "self", None, table[n]) for n in _TO_SELF]
    program += [(None, _JEQ, "deny", None, n) for n in numbers]
    return _assemble(program + [
        (None, _RET, None, None, _RET_ALLOW),
        ("prlimit", _LD, None, None, 32),              # args[2], low
        (None, _JEQ, None, "deny", 0), (None, _LD, None, None, 36),
        (None, _JEQ, "allow", "deny", 0),
        ("self", _LD, None, None, 16),                 # args[0], low
        (None, _JEQ, None, "deny", pid), (None, _LD, None, None, 20),
        (None, _JEQ, "allow", "deny", 0),
        ("allow", _RET, None, None, _RET_ALLOW),
        ("deny", _RET, None, None, _RET_EPERM),
        ("kill", _RET, None, None, _RET_KILL)])


def _seccomp(ctypes, libc):
    arch, table = _SYS.get(os.uname().machine, (None, None))
    if arch is None:
        return False
    program = ctypes.create_string_buffer(_bpf(arch, table, os.getpid()))

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    prog = Prog(len(program.raw) // 8, ctypes.addressof(program))
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER,
                      ctypes.byref(prog), 0, 0) == 0


def _landlock_rules(roots, hidden, workdir):
    """(path, access) pairs: each readable root's entries but hidden."""
    rules = [(workdir, _LL_WORKDIR), (os.devnull, _LL_FILE_RW)]
    for root in roots:
        if os.path.isdir(root):
            rules.append((root, _READ_DIR))   # list it, read what follows
            rules += [(entry.path, _LL_READ) for entry in os.scandir(root)
                      if entry.path not in hidden]
    return rules


def _landlock(ctypes, libc, rules):
    call = libc.syscall
    abi = call(_LL_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return False
    fs = (1 << 13) - 1 | (1 << 13 if abi >= 2 else 0) | (
        1 << 14 if abi >= 3 else 0) | (1 << 15 if abi >= 5 else 0)
    attr = (ctypes.c_uint64 * 3)(fs, 3 if abi >= 4 else 0,
                                 3 if abi >= 6 else 0)
    size = 8 * (1 + (abi >= 4) + (abi >= 6))
    ruleset = call(_LL_CREATE, attr, ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return False
    for path, access in rules:
        _add_rule(ctypes, call, ruleset, path, access & fs)
    done = call(_LL_RESTRICT, ruleset, 0) == 0
    os.close(ruleset)
    return done


def _add_rule(ctypes, call, ruleset, path, access):
    if not os.path.isdir(path):
        access &= _FILE_RIGHTS
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    rule = (ctypes.c_uint8 * 12).from_buffer_copy(
        struct.pack("<Qi", access, fd))
    call(_LL_ADD_RULE, ruleset, 1, rule, 0)
    os.close(fd)


def lockdown(roots, hidden, workdir):
    """Apply Landlock and seccomp; return the layers applied."""
    applied = []
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        rules = _landlock_rules(roots, set(hidden), workdir)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
            applied += ["landlock"] * _landlock(ctypes, libc, rules)
            applied += ["seccomp"] * _seccomp(ctypes, libc)
    except (ImportError, OSError, AttributeError):
        pass  # not Linux, or no ctypes: the audit hook still applies
    finally:
        for name in [m for m in sys.modules if "ctypes" in m]:
            del sys.modules[name]
    return applied
