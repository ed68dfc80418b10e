"""``copy_into(dst, src)``: the compiled ``dst[...] = src`` that generated code calls.

Numba lowers ``dst[...] = src`` with a shape-mismatch error path that it compiles anew at
every site: about half a second each, which made seven such lines half of W1's 7 s entry
point compile.  This loop compiles in a twentieth of that, once per signature and
machine (Numba's disk cache), and is called from the Python glue and compiled code alike.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def copy_into(dst, src):
    """Copy `src` into `dst` element by element; both have one shape, any layouts."""
    for index in np.ndindex(dst.shape):
        dst[index] = src[index]
