"""CUDA kernels for `Reduce` (sum, prod, max, min): deterministic, in at most two passes.

The input is seen as ``(M, K, N)`` — kept axes before, the reduced block, kept axes
after — for free when it is C-contiguous and the reduced axes are adjacent, else after
one copy that moves them last.  Rows (``N == 1``) are reduced by a block each: threads
stride over the row, then a shared-memory tree.  Columns (``N > 1``) get a thread per
output, which reads along ``K`` with coalesced loads.  Where the outputs are too few to
fill the GPU, a first pass reduces ``P`` chunks of ``K`` to partials and a second pass
reduces those: the order of every addition is fixed by the shapes alone, so results
repeat bit for bit.
"""
from __future__ import annotations

import math
from typing import List, Tuple

import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.elemwise import contiguous
from symkeras.graph.linker.cuda.registry import register_kernel
from symkeras.graph.linker.cuda.source import THREADS, assemble, grid
from symkeras.graph.linker.numba.cache import load_module
from symkeras.ops.reduction import Reduce

COMBINE = {"sum": "a + b", "prod": "a * b", "max": "max(a, b)", "min": "min(a, b)"}


def identity(kind: str, dtype: str) -> str:
    """The neutral element of `kind` in `dtype`, as source."""
    if kind in ("sum", "prod"):
        return f"np.{dtype}({0 if kind == 'sum' else 1})"
    if np.dtype(dtype).kind == "f":
        return f"np.{dtype}({'-' if kind == 'max' else ''}math.inf)"
    info = np.iinfo(dtype)
    return f"np.{dtype}({info.min if kind == 'max' else info.max})"


def reduce_source(kind: str, dtype: str) -> str:
    """The row and column reduction kernels of `kind` accumulating in `dtype`."""
    combine = f"def combine(a, b):\n    return {COMBINE[kind]}\n"
    start = identity(kind, dtype)
    rows = f"""
@cuda.jit(cache=True)
def rows(x, out):
    r = cuda.blockIdx.x
    p = cuda.blockIdx.y
    chunk = (x.shape[1] + cuda.gridDim.y - 1) // cuda.gridDim.y
    stop = min(x.shape[1], p * chunk + chunk)
    t = cuda.threadIdx.x
    buf = cuda.shared.array({THREADS}, np.{dtype})
    acc = {start}
    for k in range(p * chunk + t, stop, {THREADS}):
        acc = combine(acc, np.{dtype}(x[r, k]))
    buf[t] = acc
    cuda.syncthreads()
    s = {THREADS // 2}
    while s > 0:
        if t < s:
            buf[t] = combine(buf[t], buf[t + s])
        cuda.syncthreads()
        s //= 2
    if t == 0:
        out[r, p] = buf[0]


@cuda.jit(cache=True)
def columns(x, out):
    n_cols = x.shape[2]
    parts = out.shape[1]
    chunk = (x.shape[1] + parts - 1) // parts
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        n = i % n_cols
        r = i // n_cols
        p = r % parts
        m = r // parts
        acc = {start}
        for k in range(p * chunk, min(x.shape[1], p * chunk + chunk)):
            acc = combine(acc, np.{dtype}(x[m, k, n]))
        out[m, p, n] = acc
"""
    return assemble({"combine": (combine, True)}, [rows])


def as_mkn(x, axes: Tuple[int, ...], pool):
    """`x` as an ``(M, K, N)`` device array reducing over its middle axis (a copy from `pool` only where needed)."""
    shape = tuple(x.shape)
    adjacent = list(axes) == list(range(axes[0], axes[-1] + 1))
    if not (adjacent and D.is_c_contiguous(x)):
        kept = [a for a in range(len(shape)) if a not in axes]
        order = kept + list(axes)
        x = contiguous(pool.view(x, [shape[a] for a in order], [x.strides[a] for a in order]), pool)
        shape, axes = tuple(x.shape), tuple(range(len(kept), len(shape)))
    m, k, n = (int(np.prod(part)) for part in (shape[: axes[0]], shape[axes[0]: axes[-1] + 1], shape[axes[-1] + 1:]))
    itemsize = np.dtype(x.dtype).itemsize
    return pool.view(x, (m, k, n), (k * n * itemsize, n * itemsize, itemsize))


def reduce_mkn(kernels, x, dtype: str, pool):
    """Reduce an ``(M, K, N)`` array over K into an ``(M, N)`` array from `pool` (two passes when K is long)."""
    m, k, n = x.shape
    if n == 1:
        parts = 1 if m >= 256 or k <= 4 * THREADS else min(math.ceil(k / (4 * THREADS)), math.ceil(512 / m))
        rows2d = pool.view(x, (m, k), (x.strides[0], x.strides[1]))
        out = pool.empty((m, parts), dtype)
        if out.size:
            D.launcher(kernels.rows, (m, parts), THREADS)(rows2d, out)
        if parts > 1:
            return reduce_mkn(kernels, pool.view(out, (m, parts, 1), (out.strides[0], out.strides[1], 0)), dtype, pool)
        return pool.view(out, (m, 1), (out.strides[0], 0))
    parts = 1 if m * n >= 8192 or k <= 64 else min(math.ceil(k / 64), math.ceil(32768 / (m * n)))
    out = pool.empty((m, parts, n), dtype)
    if out.size:
        D.launcher(kernels.columns, *grid(out.size))(x, out)
    if parts > 1:
        return reduce_mkn(kernels, out, dtype, pool)
    return pool.view(out, (m, n), (out.strides[0], out.strides[2]))


@register_kernel(Reduce)
def reduce_runner(node: Apply):
    op = node.op
    if op.kind not in COMBINE:
        return None
    dtype = node.outputs[0].dtype
    kernels = load_module(reduce_source(op.kind, dtype))

    def run(args: List, pool) -> List:
        x = pool.device(args[0])
        result = contiguous(reduce_mkn(kernels, as_mkn(x, op.axes, pool), dtype, pool), pool)
        shape = [1 if a in op.axes else d for a, d in enumerate(x.shape) if op.keepdims or a not in op.axes]
        return [pool.c_view(result, shape)]

    run.sources = lambda: [reduce_source(op.kind, dtype)]
    return run
