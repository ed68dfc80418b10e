"""CUDA kernels for `Dot`, `DotBias` and `Gemm`: a tiled shared-memory GEMM, the bias or ``beta * z`` fused in its epilogue.

A block of ``R × R`` threads computes a ``BM × BN`` tile of the product (``BM = BN = R·W``):
each ``BK``-deep slab of A and B is staged in shared memory, and each thread keeps a
``W × W`` register tile of rows ``ty + i·R`` and columns ``tx + j·R`` (interleaved, so
neighbouring threads read neighbouring shared words and write neighbouring outputs).
Operands may be strided views: a transposed weight (``x.T @ g``) costs no copy.
Vectors become ``1 × K`` or ``K × 1`` views, so every form of `Dot` is one GEMM.  `Gemm`
(an optimizer's ``momentum * m - lr * x.T @ g``) reads its scalars from one-element device
arrays (a learning rate in a shared variable never comes to the host) and writes in place
into `z` when the inplace phase allows it: each element of `z` is read and written by
the one thread that owns it.
"""
from __future__ import annotations

import math
from typing import List

import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.registry import register_kernel
from symkeras.graph.linker.cuda.source import assemble
from symkeras.graph.linker.numba.cache import load_module
from symkeras.ops.blas import Dot
from symkeras.ops.gemm import DotBias, Gemm

#: threads per block side, register tile side, depth of a shared slab (smaller under the simulator)
R, W, BK = (4, 2, 4) if D.SIMULATED else (16, 4, 16)
BM = BN = R * W


def gemm_source(dtype: str) -> str:
    """``gemm(a, b, out)`` and ``gemm_bias(a, b, bias, out)`` for `dtype` operands."""
    zero = f"np.{dtype}(0)"

    def kernel(name: str, params: str, epilogue: str) -> str:
        return f"""
@cuda.jit(cache=True)
def {name}({params}):
    sa = cuda.shared.array(({BK}, {BM}), np.{dtype})
    sb = cuda.shared.array(({BK}, {BN}), np.{dtype})
    acc = cuda.local.array(({W}, {W}), np.{dtype})
    ra = cuda.local.array({W}, np.{dtype})
    rb = cuda.local.array({W}, np.{dtype})
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    tid = ty * {R} + tx
    row0 = cuda.blockIdx.y * {BM}
    col0 = cuda.blockIdx.x * {BN}
    m_size = a.shape[0]
    k_size = a.shape[1]
    n_size = b.shape[1]
    for i in range({W}):
        for j in range({W}):
            acc[i, j] = {zero}
    for k0 in range(0, k_size, {BK}):
        for e in range(tid, {BM * BK}, {R * R}):
            mm = e // {BK}
            kk = e % {BK}
            if row0 + mm < m_size and k0 + kk < k_size:
                sa[kk, mm] = a[row0 + mm, k0 + kk]
            else:
                sa[kk, mm] = {zero}
        for e in range(tid, {BK * BN}, {R * R}):
            kk = e // {BN}
            nn = e % {BN}
            if k0 + kk < k_size and col0 + nn < n_size:
                sb[kk, nn] = b[k0 + kk, col0 + nn]
            else:
                sb[kk, nn] = {zero}
        cuda.syncthreads()
        for kk in range({BK}):
            for i in range({W}):
                ra[i] = sa[kk, ty + i * {R}]
                rb[i] = sb[kk, tx + i * {R}]
            for i in range({W}):
                for j in range({W}):
                    acc[i, j] += ra[i] * rb[j]
        cuda.syncthreads()
    for i in range({W}):
        r = row0 + ty + i * {R}
        for j in range({W}):
            c = col0 + tx + j * {R}
            if r < m_size and c < n_size:
                out[r, c] = {epilogue}
"""

    return assemble({}, [kernel("gemm", "a, b, out", "acc[i, j]"),
                         kernel("gemm_bias", "a, b, bias, out", "acc[i, j] + bias[c]"),
                         kernel("gemm_scaled", "a, b, z, alpha, beta, out", "beta[0] * z[r, c] + alpha[0] * acc[i, j]")])


def as_matrix(x, vector_as_row: bool, pool):
    """A 2-D view of a matrix, or of a vector as one row (``1 × K``) or one column (``K × 1``)."""
    if len(x.shape) == 2:
        return x
    stride = x.strides[0]
    return pool.view(x, (1, x.shape[0]) if vector_as_row else (x.shape[0], 1), (0, stride) if vector_as_row else (stride, 0))


def launch_gemm(kernel, out, a, b, *extra) -> None:
    """Launch `kernel` computing ``out = a @ b`` (with its epilogue's `extra` operands), or say which shapes do not fit."""
    m, k = a.shape
    if b.shape[0] != k:
        raise ValueError(f"Dot: shapes {tuple(a.shape)} and {tuple(b.shape)} are not aligned (inner sizes differ)")
    n = b.shape[1]
    if m and n:
        D.launcher(kernel, (math.ceil(n / BN), math.ceil(m / BM)), (R, R))(a, b, *extra, out)


def _same_float_dtype(node: Apply) -> bool:
    dtypes = {v.dtype for v in node.inputs + node.outputs}
    return len(dtypes) == 1 and dtypes <= {"float32", "float64"}


@register_kernel(Dot)
def dot_runner(node: Apply):
    if not _same_float_dtype(node):
        return None
    dtype = node.outputs[0].dtype
    kernels = load_module(gemm_source(dtype))
    out_ndim = node.outputs[0].ndim

    def run(args: List, pool) -> List:
        a, b = pool.device(args[0]), pool.device(args[1])
        a2, b2 = as_matrix(a, True, pool), as_matrix(b, False, pool)
        out = pool.empty((a2.shape[0], b2.shape[1]), dtype)
        launch_gemm(kernels.gemm, out, a2, b2)
        shape = tuple(a.shape[:-1]) + tuple(b.shape[1:])
        itemsize = np.dtype(dtype).itemsize
        return [out if out_ndim == 2 else pool.view(out, shape, [itemsize] * len(shape))]

    run.sources = lambda: [gemm_source(dtype)]
    return run


@register_kernel(DotBias)
def dot_bias_runner(node: Apply):
    dtype = node.outputs[0].dtype
    kernels = load_module(gemm_source(dtype))

    def run(args: List, pool) -> List:
        x, w, bias = (pool.device(a) for a in args)
        if bias.shape[0] != w.shape[1]:
            raise ValueError(f"DotBias: bias of shape {tuple(bias.shape)} does not fit a product with "
                             f"{w.shape[1]} columns ({tuple(x.shape)} @ {tuple(w.shape)})")
        out = pool.empty((x.shape[0], w.shape[1]), dtype)
        launch_gemm(kernels.gemm_bias, out, x, w, bias)
        return [out]

    run.sources = lambda: [gemm_source(dtype)]
    return run


@register_kernel(Gemm)
def gemm_runner(node: Apply):
    """``beta * z + alpha * x @ y``, in place into `z` unless `x` or `y` share its memory."""
    dtype = node.outputs[0].dtype
    kernel = load_module(gemm_source(dtype)).gemm_scaled

    def run(args: List, pool) -> List:
        z, x, y = pool.device(args[0]), pool.device(args[2]), pool.device(args[3])
        alpha, beta = (pool.flat(pool.device(s)) for s in (args[1], args[4]))
        if tuple(z.shape) != (x.shape[0], y.shape[1]):
            raise ValueError(f"Gemm: z of shape {tuple(z.shape)} does not fit the product "
                             f"{tuple(x.shape)} @ {tuple(y.shape)}")
        low, high = D.extent(z)
        in_place = node.op.inplace and not any(a < high and low < b for a, b in (D.extent(x), D.extent(y)))
        out = z if in_place else pool.empty(z.shape, dtype)
        launch_gemm(kernel, out, x, y, z, alpha, beta)
        return [out]

    run.sources = lambda: [gemm_source(dtype)]
    return run
