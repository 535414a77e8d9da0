"""Keep freed memory for the next call, where the C library is glibc.

A convolution makes temporaries of megabytes: padded planes, columns,
products. glibc hands blocks this large out by mmap and gives them
back to the system when they are freed, so the next call's
temporaries are fresh pages, and the kernel faults in and zeroes every
one of them again. glibc raises its threshold as it sees large blocks
freed, but only step by step and not for every size: in one process a
depthwise 3x3 layer (32, 64, 8, 8) took 1.41 ms a call for its first
60 or so calls and 0.50 ms afterwards, and in `make bench`'s process
it stayed at 1.4 ms (13x torch).

`keep_freed_memory` sets the two thresholds once, when
`convlib.numpy` is imported: blocks up to `_tuning.MMAP_BYTES` come
from the heap, and up to `_tuning.TRIM_BYTES` of freed heap is kept
for reuse rather than returned. A process then holds on to at most
that much memory it no longer uses. Nothing is changed where the C
library is not glibc, where the user has set glibc's own variables
(MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), or where
CONVLIB_KEEP_MEMORY=0.
"""
import ctypes
import ctypes.util
import os
import platform

from . import _tuning

ENVIRONMENT_VARIABLE = "CONVLIB_KEEP_MEMORY"
GLIBC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h

applied = None  # the outcome of `keep_freed_memory`, once called


def keep_freed_memory(environ=None):
    """Set glibc's mmap and trim thresholds (see the module's notes).

    Parameters
    ----------
    environ : mapping, optional
        The environment to read (default ``os.environ``).

    Returns
    -------
    str
        What was done: ``"set"``, or why not: ``"not glibc"``,
        ``"left to MALLOC_..._"``, ``"switched off"``,
        ``"mallopt refused"``.
    """
    global applied
    environ = os.environ if environ is None else environ
    if environ.get(ENVIRONMENT_VARIABLE, "").strip() == "0":
        applied = "switched off"
    elif any(name in environ for name in GLIBC_VARIABLES):
        applied = "left to MALLOC_..._"
    elif platform.libc_ver()[0] != "glibc":
        applied = "not glibc"
    else:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = (libc.mallopt(_M_MMAP_THRESHOLD, _tuning.MMAP_BYTES)
              and libc.mallopt(_M_TRIM_THRESHOLD, _tuning.TRIM_BYTES))
        applied = "set" if ok else "mallopt refused"
    return applied
