"""CUDA row kernels for softmax, log-softmax and the fused softmax-crossentropy ops.

One block per row: a shared-memory tree finds the row maximum, then the sum of
``exp(x - max)``; each element is then written from ``x - max - log(sum)`` (the numpy
reference's formula, so a row of ``-inf`` gives nan there and here).  The gradients of
these ops are built from `Softmax`/`LogSoftmax` and elementwise ops, so they run here too.
The class axis is moved last by a strided view: any axis of a matrix works without a copy.
"""
from __future__ import annotations

from typing import List

import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.elemwise import contiguous
from symkeras.graph.linker.cuda.registry import register_kernel
from symkeras.graph.linker.cuda.source import THREADS, assemble
from symkeras.graph.linker.numba.cache import load_module
from symkeras.ops.nnet import LogSoftmax, Softmax, SoftmaxCrossentropyWithLogits, SparseSoftmaxCrossentropyWithLogits


def _tree(name: str, combine: str) -> str:
    return f"""def {name}(buf, t, value):
    buf[t] = value
    cuda.syncthreads()
    s = {THREADS // 2}
    while s > 0:
        if t < s:
            buf[t] = {combine}
        cuda.syncthreads()
        s //= 2
    result = buf[0]
    cuda.syncthreads()
    return result
"""


def rows_source(dtype: str) -> str:
    """The softmax-family kernels for rows of `dtype`."""
    prologue = f"""    r = cuda.blockIdx.x
    t = cuda.threadIdx.x
    n = x.shape[1]
    buf = cuda.shared.array({THREADS}, np.{dtype})
    m = np.{dtype}(-math.inf)
    for c in range(t, n, {THREADS}):
        m = max(m, x[r, c])
    m = tree_max(buf, t, m)
    if not math.isfinite(m):
        m = np.{dtype}(0)
    s = np.{dtype}(0)
    for c in range(t, n, {THREADS}):
        s += math.exp(x[r, c] - m)
    shift = m + np.{dtype}(math.log(tree_sum(buf, t, s)))
"""
    kernels = f"""
@cuda.jit(cache=True)
def softmax(x, out):
{prologue}    for c in range(t, n, {THREADS}):
        out[r, c] = math.exp(x[r, c] - shift)


@cuda.jit(cache=True)
def log_softmax(x, out):
{prologue}    for c in range(t, n, {THREADS}):
        out[r, c] = x[r, c] - shift


@cuda.jit(cache=True)
def crossentropy(target, x, out):
{prologue}    acc = np.{dtype}(0)
    for c in range(t, n, {THREADS}):
        acc += target[r, c] * (x[r, c] - shift)
    acc = tree_sum(buf, t, acc)
    if t == 0:
        out[r] = -acc


@cuda.jit(cache=True)
def sparse_crossentropy(labels, x, out, bad):
{prologue}    if t == 0:
        label = labels[r]
        bad[r] = label < 0 or label >= n
        if bad[r]:
            out[r] = np.{dtype}(math.nan)
        else:
            out[r] = shift - x[r, label]
"""
    helpers = {"tree_max": (_tree("tree_max", "max(buf[t], buf[t + s])"), True),
               "tree_sum": (_tree("tree_sum", "buf[t] + buf[t + s]"), True)}
    return assemble(helpers, [kernels])


def rows_view(x, axis: int, pool):
    """`x` as a 2-D (rows, classes) device array with `axis` last (a copy from `pool` where needed), and the permutation used."""
    ndim = len(x.shape)
    order = [a for a in range(ndim) if a != axis] + [axis]
    moved = pool.view(x, [x.shape[a] for a in order], [x.strides[a] for a in order])
    if ndim > 2:
        moved = contiguous(moved, pool)
    itemsize = np.dtype(x.dtype).itemsize
    if ndim == 1:
        return pool.view(moved, (1, x.shape[0]), (0, moved.strides[0])), order
    if ndim == 2:
        return moved, order
    rows = int(np.prod(moved.shape[:-1]))
    return pool.view(moved, (rows, moved.shape[-1]), (moved.shape[-1] * itemsize, itemsize)), order


def unmoved(out2d, shape, order, itemsize: int, pool):
    """The C-contiguous `out2d` (laid out in `order`) seen in the original axis order of `shape`."""
    moved_shape = [shape[a] for a in order]
    moved_strides = [int(np.prod(moved_shape[k + 1:])) * itemsize for k in range(len(order))]
    strides = [0] * len(order)
    for k, a in enumerate(order):
        strides[a] = moved_strides[k]
    return pool.view(out2d, shape, strides)


def _kernels(node: Apply):
    return load_module(rows_source(node.inputs[-1].dtype))


@register_kernel(Softmax, LogSoftmax)
def softmax_runner(node: Apply):
    kernel = getattr(_kernels(node), "softmax" if isinstance(node.op, Softmax) else "log_softmax")
    dtype = node.outputs[0].dtype

    def run(args: List, pool) -> List:
        x = pool.device(args[0])
        rows, order = rows_view(x, node.op.axis, pool)
        out = pool.empty(rows.shape, dtype)
        if out.size:
            D.launcher(kernel, rows.shape[0], THREADS)(rows, out)
        return [unmoved(out, tuple(x.shape), order, np.dtype(dtype).itemsize, pool)]

    run.sources = lambda: [rows_source(dtype)]
    return run


def _check_labels(node: Apply, bad: np.ndarray, labels: np.ndarray, classes: int) -> None:
    if bad.any():
        raise ValueError(f"{node.op}: labels must lie in [0, {classes}), got {labels.min()} to {labels.max()}")


@register_kernel(SoftmaxCrossentropyWithLogits, SparseSoftmaxCrossentropyWithLogits)
def crossentropy_runner(node: Apply):
    sparse = isinstance(node.op, SparseSoftmaxCrossentropyWithLogits)
    if len({v.dtype for v in node.inputs[-1:] + node.outputs}) != 1 or (
        not sparse and node.inputs[0].dtype != node.inputs[1].dtype
    ):
        return None
    kernels = _kernels(node)
    dtype = node.outputs[0].dtype

    def run(args: List, pool) -> List:
        target, x = pool.device(args[0]), pool.device(args[1])
        rows, order = rows_view(x, node.op.axis, pool)
        loss = pool.empty((rows.shape[0],), dtype)
        if sparse:
            labels = contiguous(target, pool)
            labels = pool.view(labels, (rows.shape[0],), (np.dtype(labels.dtype).itemsize,))
            bad = pool.empty((rows.shape[0],), np.bool_)
            if loss.size:
                D.launcher(kernels.sparse_crossentropy, rows.shape[0], THREADS)(labels, rows, loss, bad)
                # read once the call's results are back: a check here would stall the GPU queue
                pool.after_call(lambda: _check_labels(node, D.to_host(bad), D.to_host(labels), rows.shape[1]))
        else:
            targets, _ = rows_view(target, node.op.axis, pool)
            if loss.size:
                D.launcher(kernels.crossentropy, rows.shape[0], THREADS)(targets, rows, loss)
        shape = [d for a, d in enumerate(x.shape) if a != node.op.axis]
        return [pool.c_view(loss, shape)]

    run.sources = lambda: [rows_source(dtype)]
    return run
