"""convlib.numpy keeps freed memory for the next call (`_memory`).

Without it glibc returns a convolution's temporaries to the system
and the next call faults every page in again. Measured here by the
minor page faults of a call, in a process of its own.
"""
import os
import platform
import subprocess
import sys

import pytest

from convlib.numpy import _memory

GLIBC = platform.libc_ver()[0] == "glibc"
# A depthwise 3x3 layer: about 1100 page faults a call when glibc
# gives its temporaries back, none when they are kept.
FAULTS_PER_CALL = """
import resource, numpy as np
import convlib.numpy as cn
from convlib.numpy import _memory
cn.set_workers(1)
x = np.random.default_rng(0).standard_normal((32, 64, 8, 8), 'f4')
w = np.ones((64, 1, 3, 3), np.float32)
for _ in range(3):
    cn.conv2d(x, w, padding=1, groups=64)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    cn.conv2d(x, w, padding=1, groups=64)
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(_memory.applied, (after - before) / 20)
"""


def _faults(**environ):
    env = {k: v for k, v in os.environ.items()
           if k not in _memory.GLIBC_VARIABLES
           and k != _memory.ENVIRONMENT_VARIABLE}
    env.update(environ)
    out = subprocess.run([sys.executable, "-c", FAULTS_PER_CALL], env=env,
                         capture_output=True, text=True, check=True)
    applied, faults = out.stdout.rsplit(maxsplit=1)
    return applied, float(faults)


def test_kept_memory_means_no_page_faults_per_call():
    applied, faults = _faults()
    if GLIBC:
        assert applied == "set"
        assert faults < 20, faults
    else:
        assert applied == "not glibc"


def test_without_it_every_call_faults_its_pages_in():
    """The measurement above can fail: switched off, the same calls
    fault hundreds of pages in each."""
    applied, faults = _faults(CONVLIB_KEEP_MEMORY="0")
    assert applied == "switched off"
    if GLIBC:  # the faults are glibc's behaviour
        assert faults > 200, faults


@pytest.mark.parametrize("environ, outcome", [
    ({"CONVLIB_KEEP_MEMORY": "0"}, "switched off"),
    ({"MALLOC_TRIM_THRESHOLD_": "131072"}, "left to MALLOC_..._"),
    ({"MALLOC_MMAP_THRESHOLD_": "131072"}, "left to MALLOC_..._"),
])
def test_the_user_s_settings_win(environ, outcome, monkeypatch):
    monkeypatch.setattr(_memory, "applied", None)
    assert _memory.keep_freed_memory(environ) == outcome
