"""``copy_into(dst, src)``: the compiled ``dst[...] = src`` that generated code calls.

Numba lowers ``dst[...] = src`` with a shape-mismatch error path that it compiles anew at
every site: about half a second each, which made seven such lines half of W1's 7 s entry
point compile.  This loop compiles in a twentieth of that, once per signature and
machine (Numba's disk cache), and is called from the Python glue and compiled code alike
(and by `cblas.gemm` for an operand BLAS cannot take as it is).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from symkeras.graph.linker import runtime_cache

runtime_cache.install()


@njit(cache=True, nogil=True)
def copy_into(dst, src):
    """Copy `src` into `dst` element by element; both have one shape, any layouts."""
    for index in np.ndindex(dst.shape):
        dst[index] = src[index]


runtime_cache.share_compilation(globals())
