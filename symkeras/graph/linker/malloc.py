"""Keep freed buffers in the process heap, so a step's large temporaries do not page-fault anew every call.

glibc's malloc serves a block above its mmap threshold (128 KiB, raised as such blocks are
freed, at most to 32 MiB) with a fresh mapping, unmapped again when freed, and gives the
heap's free top back to the system beyond its trim threshold.  A training step allocating
tens of megabytes of activations and gradients then pays a page fault for every 4 KiB of
them, at every step: a fifth to a quarter of mnist_cnn's steady epoch.  Fixing both
thresholds (mappings only above 32 MiB, trimming only beyond 1 GiB free) lets the heap
reuse the freed buffers, as a deep-learning framework's caching allocator does; the
resident size stays at the step's high-water mark instead of shrinking between steps.
``SYMKERAS_MALLOC_TUNING=0`` leaves malloc as it is.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

from symkeras.graph import config

#: mallopt's parameter numbers (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

#: blocks above this size still get mappings of their own (glibc's largest allowed threshold)
MMAP_THRESHOLD = 32 << 20
#: free memory at the heap's top beyond this goes back to the system
TRIM_THRESHOLD = 1 << 30

_tuned = False


def keep_freed_buffers() -> bool:
    """Set glibc malloc's thresholds once per process (see the module docstring); whether they are set.

    Nothing is done under ``SYMKERAS_MALLOC_TUNING=0`` or where the C library is not glibc.
    """
    global _tuned
    if _tuned or not config.malloc_tuning or not sys.platform.startswith("linux"):
        return _tuned
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _tuned
