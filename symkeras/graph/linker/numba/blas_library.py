"""Which BLAS library compiled code multiplies matrices with: Intel MKL where installed, else scipy's OpenBLAS.

MKL (``pip install "symkeras[mkl]"`` on x86-64) runs W1's eight products of a step about 1.3x
faster than OpenBLAS on two threads and the convolutions' single-threaded ones 1.1-1.2x
faster (the figures are in the README); scipy's OpenBLAS is always there.  ``SYMKERAS_BLAS``
(`config.blas`: ``auto``, ``mkl`` or ``openblas``) overrides the choice.  Either way the
library gives Fortran LP64 ``sgemm``/``dgemm`` and a per-thread thread count, which is all
`cblas` binds; MKL runs its threads on GNU OpenMP where that loads, the runtime of Numba's
``omp`` threading layer, so BLAS and the parallel loops share one pool of threads.  MKL also
runs in its strict reproducible mode (``MKL_CBWR=AUTO,STRICT``, no slower on W1's products):
a product's bits then do not depend on the thread count, which OpenBLAS's do (a W1 layer's
128x784x512 differs between one and two threads).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional

from symkeras.graph import config

CHOICES = ("auto", "mkl", "openblas")

#: MKL's constants (mkl_service.h, mkl_cbwr.h)
_MKL_THREADING_INTEL, _MKL_THREADING_GNU, _MKL_INTERFACE_LP64 = 0, 3, 0
_MKL_CBWR_AUTO, _MKL_CBWR_STRICT, _MKL_CBWR_SUCCESS = 2, 0x10000, 0


@dataclass(frozen=True)
class BlasLibrary:
    """The entry points `cblas` registers: Fortran ``?gemm`` by dtype, and the per-thread thread count."""

    name: str
    gemm: Dict[str, int]
    #: ``int f(int n)``: set the calling thread's BLAS thread count, return the previous setting (None: absent)
    set_threads: Optional[int]
    #: whether a product's result is the same to the last bit whatever the number of threads computing it
    thread_count_invariant: bool = False


def _address(function) -> int:
    return ctypes.cast(function, ctypes.c_void_p).value


def mkl_candidates() -> List[str]:
    """Where ``libmkl_rt`` may be: the environment's ``lib`` folder (pip's ``mkl`` wheel, conda), then the loader's path."""
    names = sorted(glob.glob(os.path.join(sys.prefix, "lib", "libmkl_rt.so*")), reverse=True)
    found = ctypes.util.find_library("mkl_rt")
    return names + ([found] if found else [])


def _gnu_openmp_loads() -> bool:
    try:
        ctypes.CDLL(ctypes.util.find_library("gomp") or "libgomp.so.1")
    except OSError:
        return False
    return True


def _mkl() -> Optional[BlasLibrary]:
    """MKL's entry points, its threading and interface layers set before its first call; None where it is absent."""
    for path in mkl_candidates():
        try:
            lib = ctypes.CDLL(path)
            entry_points = (lib.sgemm, lib.dgemm, lib.MKL_Set_Num_Threads_Local, lib.MKL_CBWR_Set)
        except (OSError, AttributeError):  # absent, or an MKL older than 2019 (no strict reproducible mode)
            continue
        if "MKL_THREADING_LAYER" not in os.environ:  # a user's choice stands
            lib.MKL_Set_Threading_Layer(_MKL_THREADING_GNU if _gnu_openmp_loads() else _MKL_THREADING_INTEL)
        if lib.MKL_Set_Interface_Layer(_MKL_INTERFACE_LP64) != _MKL_INTERFACE_LP64:
            continue  # MKL_INTERFACE_LAYER=ILP64 in the environment: sizes would be 64-bit
        strict = "MKL_CBWR" not in os.environ and lib.MKL_CBWR_Set(_MKL_CBWR_AUTO | _MKL_CBWR_STRICT) == _MKL_CBWR_SUCCESS
        sgemm, dgemm, set_threads, _ = map(_address, entry_points)
        return BlasLibrary("mkl", {"float32": sgemm, "float64": dgemm}, set_threads, thread_count_invariant=strict)
    return None


def _scipy_openblas() -> BlasLibrary:
    """scipy's BLAS (OpenBLAS in its wheels), checked to be LP64, with OpenBLAS's thread control where found."""
    import scipy
    import scipy.linalg.cython_blas as cython_blas
    from numba.extending import get_cython_function_address

    gemm = {}
    for dtype, routine in (("float32", "sgemm"), ("float64", "dgemm")):
        signature = repr(cython_blas.__pyx_capi__[routine])
        if signature.count("int *") != 6:  # LP64 BLAS: the 6 sizes are C ints
            raise ImportError(f"symkeras needs scipy's LP64 BLAS; scipy's {routine} has the signature {signature}")
        gemm[dtype] = get_cython_function_address("scipy.linalg.cython_blas", routine)
    set_threads = None
    for path in glob.glob(os.path.join(os.path.dirname(scipy.__file__), "..", "scipy.libs", "*openblas*")):
        function = getattr(ctypes.CDLL(path), "openblas_set_num_threads_local", None)
        if function is not None:
            set_threads = _address(function)
            break
    return BlasLibrary("openblas", gemm, set_threads)


def load(choice: str = config.blas) -> BlasLibrary:
    """The BLAS for `choice` (one of `CHOICES`): ``auto`` takes MKL where it loads, else OpenBLAS."""
    if choice not in CHOICES:
        raise ValueError(f"SYMKERAS_BLAS={choice!r} is not one of {', '.join(CHOICES)}")
    if choice != "openblas":
        mkl = _mkl()
        if mkl is not None:
            return mkl
        if choice == "mkl":
            raise ImportError("SYMKERAS_BLAS=mkl, but no LP64 libmkl_rt loads from "
                              f"{mkl_candidates() or sys.prefix + '/lib'}: pip install mkl (x86-64), or unset SYMKERAS_BLAS")
    return _scipy_openblas()
