"""``gemm(alpha, a, b, beta, c)``: BLAS sgemm/dgemm callable from ``@njit`` code, on views as they are.

``c = alpha * a @ b + beta * c`` for 2-D float arrays.  A row-major or column-major
operand (a transpose is the latter) goes to BLAS with a transpose flag and its leading
dimension, so no copy is made; only an operand with neither layout is copied.  Numba's
``np.dot`` copies transposed views and has no alpha/beta, which is why this exists.

BLAS is MKL where installed, else scipy's OpenBLAS (`blas_library`).  Its Fortran entry
points are registered with LLVM under names of our own and called from an intrinsic by
name, never by address, so functions calling `gemm` stay cacheable by Numba, and a cache
written with one library runs with the other.
"""
from __future__ import annotations

import numpy as np
from llvmlite import binding, ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from symkeras.graph.linker import runtime_cache
from symkeras.graph.linker.numba import blas_library
from symkeras.graph.linker.numba.copies import copy_into

runtime_cache.install()

#: LLVM symbol each BLAS routine is registered under, by dtype
SYMBOLS = {"float32": "symkeras_blas_sgemm", "float64": "symkeras_blas_dgemm"}

#: LLVM symbol of the BLAS's per-thread thread count (set the calling thread's count, return the old setting)
THREADS_SYMBOL = "symkeras_blas_set_threads"

#: the BLAS library this process calls (`blas_library.load`: MKL where installed, else scipy's OpenBLAS)
LIBRARY = blas_library.load()


def _register_symbols() -> None:
    for dtype, symbol in SYMBOLS.items():
        binding.add_symbol(symbol, LIBRARY.gemm[dtype])
    if LIBRARY.set_threads is not None:
        binding.add_symbol(THREADS_SYMBOL, LIBRARY.set_threads)
        return
    from numba import cfunc

    @cfunc(types.int32(types.int32))
    def keep_threads(n):
        return 0

    binding.add_symbol(THREADS_SYMBOL, keep_threads.address)


_register_symbols()

_N, _T = ord("N"), ord("T")


@intrinsic
def _fortran_gemm(typingctx, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
    """Call Fortran ``?gemm`` with every scalar passed by address (stack slots) and the arrays' data pointers."""
    if not (isinstance(a, types.Array) and a.dtype in (types.float32, types.float64)):
        return None
    signature = types.void(types.uint8, types.uint8, types.int32, types.int32, types.int32, alpha, a, types.int32,
                           b, types.int32, beta, c, types.int32)
    symbol = SYMBOLS[str(a.dtype)]

    def codegen(context, builder, sig, args):
        ta, tb, m_, n_, k_, alpha_, a_, lda_, b_, ldb_, beta_, c_, ldc_ = args
        alpha_ = context.cast(builder, alpha_, sig.args[5], a.dtype)
        beta_ = context.cast(builder, beta_, sig.args[10], a.dtype)
        data = [cgutils.create_struct_proxy(t)(context, builder, value=v).data
                for t, v in ((sig.args[6], a_), (sig.args[8], b_), (sig.args[11], c_))]
        slots = [cgutils.alloca_once_value(builder, v) for v in (ta, tb, m_, n_, k_, alpha_, lda_, ldb_, beta_, ldc_)]
        pa, pb, pm, pn, pk, palpha, plda, pldb, pbeta, pldc = slots
        fnty = ir.FunctionType(ir.VoidType(), [p.type for p in (pa, pb, pm, pn, pk, palpha)] + [data[0].type, plda.type,
                               data[1].type, pldb.type, pbeta.type, data[2].type, pldc.type])
        fn = cgutils.get_or_insert_function(builder.module, fnty, symbol)
        builder.call(fn, [pa, pb, pm, pn, pk, palpha, data[0], plda, data[1], pldb, pbeta, data[2], pldc])
        return context.get_dummy_value()

    return signature, codegen


@njit(cache=True, nogil=True)
def blas_layout(x):
    """``(order, ld)`` of a 2-D array for BLAS: order 0 row-major, 1 column-major, -1 neither (copy it)."""
    rows, cols = x.shape
    item = x.itemsize
    s0 = x.strides[0] if rows > 1 else cols * item
    s1 = x.strides[1] if cols > 1 else item
    if s1 == item and s0 % item == 0 and s0 >= max(cols, 1) * item:
        return 0, max(s0 // item, 1)
    if s0 == item and s1 % item == 0 and s1 >= max(rows, 1) * item:
        return 1, max(s1 // item, 1)
    return -1, 0


@njit(cache=True, nogil=True)
def _row_major_copy(x):
    """A row-major copy of `x`, for an operand whose layout BLAS cannot take."""
    copy = np.empty(x.shape, x.dtype)
    copy_into(copy, x)
    return copy


def _signature(dtype: str):
    """gemm's signature for `dtype` matrices of any layout: every caller shares one compiled version."""
    array = types.Array(getattr(types, dtype), 2, "A")
    return types.void(types.float64, array, array, types.float64, array)


@njit(cache=True, nogil=True)
def gemm(alpha, a, b, beta, c):
    """``c[...] = alpha * a @ b + beta * c`` in place, for 2-D float arrays of one dtype in any layout."""
    m, k = a.shape
    n = b.shape[1]
    if b.shape[0] != k or c.shape[0] != m or c.shape[1] != n:
        raise ValueError("gemm: shapes are not aligned")
    if m == 0 or n == 0:
        return
    if k == 0:  # BLAS leaves this edge to the caller: c = beta * c
        for i in range(m):
            for j in range(n):
                c[i, j] = 0 if beta == 0 else beta * c[i, j]
        return
    # one function with one BLAS call: each nested function costs Numba a compilation of its own, cold
    order_c, ldc = blas_layout(c)
    buffered = order_c < 0
    target = _row_major_copy(c) if buffered else c
    if buffered:
        order_c, ldc = 0, n
    x, y, rows, cols, out = a, b, m, n, target  # row-major out = x @ y
    if order_c == 1:  # a column-major c is the row-major c.T = b.T @ a.T
        x, y, rows, cols, out = b.T, a.T, n, m, target.T
    order_x, ldx = blas_layout(x)
    if order_x < 0:
        x, order_x, ldx = _row_major_copy(x), 0, max(x.shape[1], 1)
    order_y, ldy = blas_layout(y)
    if order_y < 0:
        y, order_y, ldy = _row_major_copy(y), 0, max(y.shape[1], 1)
    # row-major out = x @ y is column-major out.T = y.T @ x.T: BLAS gets y first, the flags mirror the layouts
    _fortran_gemm(_T if order_y else _N, _T if order_x else _N, np.int32(cols), np.int32(rows), np.int32(k),
                  alpha, y, np.int32(ldy), x, np.int32(ldx), beta, out, np.int32(ldc))
    if buffered:
        copy_into(c, target)


def require_gemm(dtype: str) -> None:
    """Compile `gemm` for `dtype` matrices (or load it from the disk cache), once per process.

    A generated module multiplying `dtype` matrices runs this when imported; compiling only the
    dtypes a process uses (one, mostly) saves more than a second of a cold start.  Compilation
    stays disabled in between, so calls convert their arrays to layout "A" instead of compiling a
    version per layout.
    """
    signature = _signature(dtype)
    if signature.args in gemm.overloads:
        return
    gemm.disable_compile(False)
    try:
        gemm.compile(signature)
    finally:
        gemm.disable_compile()


@intrinsic
def _set_threads(typingctx, n):
    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(32), [ir.IntType(32)]),
                                            THREADS_SYMBOL)
        return builder.call(fn, args)

    return types.int32(types.int32), codegen


@njit(cache=True, nogil=True)
def set_blas_threads(n):
    """Set the number of BLAS threads of the calling thread; return the previous setting, which restores it.

    The previous setting is OpenBLAS's count; MKL's is 0 where the thread follows the global count.

    A loop of small products (a scan's ``h @ U`` per step) runs them single-threaded: a
    thread pool synchronizes at every call, which costs more than it saves on such sizes
    and stalls whenever another process holds a core.
    """
    return _set_threads(np.int32(n))


def blas_threads() -> int:
    """The calling thread's BLAS thread setting, as `set_blas_threads` returns it (0: the global one, or unknown)."""
    previous = set_blas_threads(1)
    set_blas_threads(previous)
    return int(previous)


runtime_cache.share_compilation(globals())
