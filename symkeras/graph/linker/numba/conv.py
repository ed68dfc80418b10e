"""Numba code for `Conv`, `ConvGradInput` and `ConvGradKernel`: im2col + one BLAS gemm per batch chunk.

Every convolution runs as a 3-D one on 5-d arrays ``(batch, depth, height, width,
channels)``: 1-D and 2-D data get leading spatial dims of size 1 (a free reshape of a
contiguous array), so one set of module-level helpers (compiled once per module, not
per call site) serves every rank.  The window geometry is `window_geometry` itself,
compiled from its source, so the kernels and the numpy reference cannot disagree.

* forward: the patches of a chunk of samples are copied into a contiguous
  ``(rows, window * in)`` buffer (im2col), then ``np.dot(cols, kernel_matrix, out_rows)``;
* input gradient: ``np.dot(gz_rows, kernel_matrix.T)``, then the patch columns are added
  back into the input (col2im, the same traversal as im2col);
* kernel gradient: ``cols.T @ gz_rows`` summed over the chunks.

Depthwise convolutions are memory-bound: one direct loop nest (`direct_loops`) serves the
forward and both gradients.  It also serves the forward and kernel gradient of a dense
convolution with a small window (a first layer on 1-3 channels), whose im2col GEMM would be
skinny.  The chunk size bounds the patch buffer to `CHUNK_ELEMENTS`.
"""
from __future__ import annotations

import inspect
from typing import List, Optional, Sequence, Tuple

import numpy as np

from symkeras.graph.basic import Constant
from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr, register_codegen
from symkeras.graph.linker.numba.loops import shape_tuple
from symkeras.ops.conv import Conv, ConvGradInput, ConvGradKernel, window_geometry

#: the patch buffer holds at most this many elements (8 MiB of float32)
CHUNK_ELEMENTS = 1 << 21

WINDOW_GEOMETRY = inspect.getsource(window_geometry)

PATCHES = '''
def conv_patches(x, cols, n0, m, ksize, strides, dilation, before, out_size, scatter):
    """Gather the patches of samples n0..n0+m of x into the rows of cols (zeros outside x), or
    with scatter add the rows of cols back into x.  Row: (sample, output position); column:
    (window offset, channel)."""
    d_in, h_in, w_in, c = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    r = 0
    for b in range(n0, n0 + m):
        for i in range(out_size[0]):
            for j in range(out_size[1]):
                for l in range(out_size[2]):
                    q = 0
                    for a in range(ksize[0]):
                        zd = i * strides[0] - before[0] + a * dilation[0]
                        for e in range(ksize[1]):
                            zh = j * strides[1] - before[1] + e * dilation[1]
                            for f in range(ksize[2]):
                                zw = l * strides[2] - before[2] + f * dilation[2]
                                inside = 0 <= zd < d_in and 0 <= zh < h_in and 0 <= zw < w_in
                                if scatter:
                                    if inside:
                                        for t in range(c):
                                            x[b, zd, zh, zw, t] += cols[r, q + t]
                                elif inside:
                                    for t in range(c):
                                        cols[r, q + t] = x[b, zd, zh, zw, t]
                                else:
                                    for t in range(c):
                                        cols[r, q + t] = 0
                                q += c
                    r += 1
'''


def chunking_source() -> str:
    """The helper choosing how many samples one im2col chunk holds (at most `CHUNK_ELEMENTS` elements)."""
    return f'''
def conv_chunk(n, rows_per_sample, k):
    return max(1, min(n, {CHUNK_ELEMENTS} // max(rows_per_sample * k, 1)))
'''

FORWARD = '''
def conv_forward(x, w, strides, dilation, before, out_size):
    """(N, D, H, W, C) x (KD, KH, KW, C, O) -> (N, OD, OH, OW, O)."""
    n, o = x.shape[0], w.shape[4]
    ksize = (w.shape[0], w.shape[1], w.shape[2])
    p = out_size[0] * out_size[1] * out_size[2]
    k = ksize[0] * ksize[1] * ksize[2] * w.shape[3]
    wmat = w.reshape((k, o))
    out = np.empty((n * p, o), x.dtype)
    chunk = conv_chunk(n, p, k)
    cols = np.empty((chunk * p, k), x.dtype)
    for n0 in range(0, n, chunk):
        m = min(chunk, n - n0)
        conv_patches(x, cols, n0, m, ksize, strides, dilation, before, out_size, False)
        np.dot(cols[:m * p], wmat, out[n0 * p:(n0 + m) * p])
    return out.reshape((n, out_size[0], out_size[1], out_size[2], o))
'''

GRAD_INPUT = '''
def conv_grad_input(gz, w, strides, dilation, before, in_size):
    """(N, OD, OH, OW, O) x (KD, KH, KW, C, O) -> the input gradient (N, D, H, W, C)."""
    n, o, c = gz.shape[0], w.shape[4], w.shape[3]
    ksize = (w.shape[0], w.shape[1], w.shape[2])
    out_size = (gz.shape[1], gz.shape[2], gz.shape[3])
    p = out_size[0] * out_size[1] * out_size[2]
    k = ksize[0] * ksize[1] * ksize[2] * c
    wt = np.ascontiguousarray(w.reshape((k, o)).T)
    rows = gz.reshape((n * p, o))
    gx = np.zeros((n, in_size[0], in_size[1], in_size[2], c), gz.dtype)
    chunk = conv_chunk(n, p, k)
    cols = np.empty((chunk * p, k), gz.dtype)
    for n0 in range(0, n, chunk):
        m = min(chunk, n - n0)
        np.dot(rows[n0 * p:(n0 + m) * p], wt, cols[:m * p])
        conv_patches(gx, cols, n0, m, ksize, strides, dilation, before, out_size, True)
    return gx
'''

GRAD_KERNEL = '''
def conv_grad_kernel(x, gz, ksize, strides, dilation, before):
    """(N, D, H, W, C) x (N, OD, OH, OW, O) -> the kernel gradient (KD, KH, KW, C, O)."""
    n, c, o = x.shape[0], x.shape[4], gz.shape[4]
    out_size = (gz.shape[1], gz.shape[2], gz.shape[3])
    p = out_size[0] * out_size[1] * out_size[2]
    k = ksize[0] * ksize[1] * ksize[2] * c
    rows = gz.reshape((n * p, o))
    gw = np.zeros((k, o), x.dtype)
    part = np.empty((k, o), x.dtype)
    chunk = conv_chunk(n, p, k)
    cols = np.empty((chunk * p, k), x.dtype)
    for n0 in range(0, n, chunk):
        m = min(chunk, n - n0)
        conv_patches(x, cols, n0, m, ksize, strides, dilation, before, out_size, False)
        np.dot(cols[:m * p].T, rows[n0 * p:(n0 + m) * p], part)
        for i in range(k):
            for j in range(o):
                gw[i, j] += part[i, j]
    return gw.reshape((ksize[0], ksize[1], ksize[2], c, o))
'''

DIRECT = '''
def direct_loops(x, w, y, kind, depthwise, strides, dilation, before):
    """The three products of a convolution as one direct traversal: kind 0 adds the output into y,
    1 the input gradient into x (y holds the output gradient), 2 the kernel gradient into w.  Input
    channel t meets output channels t * mult .. t * mult + mult - 1 (depthwise) or all of them."""
    d_in, h_in, w_in, c, mult = x.shape[1], x.shape[2], x.shape[3], x.shape[4], w.shape[4]
    for b in range(y.shape[0]):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                for l in range(y.shape[3]):
                    for a in range(w.shape[0]):
                        zd = i * strides[0] - before[0] + a * dilation[0]
                        for e in range(w.shape[1]):
                            zh = j * strides[1] - before[1] + e * dilation[1]
                            for f in range(w.shape[2]):
                                zw = l * strides[2] - before[2] + f * dilation[2]
                                if not (0 <= zd < d_in and 0 <= zh < h_in and 0 <= zw < w_in):
                                    continue
                                for t in range(c):
                                    o0 = t * mult if depthwise else 0
                                    for u in range(mult):
                                        if kind == 0:
                                            y[b, i, j, l, o0 + u] += x[b, zd, zh, zw, t] * w[a, e, f, t, u]
                                        elif kind == 1:
                                            x[b, zd, zh, zw, t] += y[b, i, j, l, o0 + u] * w[a, e, f, t, u]
                                        else:
                                            w[a, e, f, t, u] += x[b, zd, zh, zw, t] * y[b, i, j, l, o0 + u]
'''

#: a dense convolution whose window holds at most this many elements (window size x input
#: channels: a first layer on 1-3 channels) runs as direct loops: as im2col + GEMM its
#: GEMM would be a skinny one (K below 32) that BLAS runs far below its peak
DIRECT_MAX_ELEMENTS = 27


# -- shared emission helpers (pooling uses them too) ----------------------------------------------
def emit_contiguous(ctx: NodeContext, name: str, var, dtype: str) -> str:
    """A C-contiguous array of `dtype` with the values of `name`."""
    result = ctx.fresh("contig")
    if var.dtype == dtype:
        ctx.emit(f"{result} = np.ascontiguousarray({name})")
    else:
        ctx.emit(f"{result} = np.ascontiguousarray({name}).astype({dtype_expr(dtype)})")
    return result


def padded3(values: Sequence[str], fill: str) -> str:
    """A 3-tuple expression: `values` after leading `fill` entries (1-D and 2-D as 3-D)."""
    values = [str(v) for v in values]
    return shape_tuple([fill] * (3 - len(values)) + values)


def as5(ctx: NodeContext, name: str, lead: List[str], spatial: Sequence[str], trail: List[str]) -> str:
    """`name` reshaped to 5 dims: `lead` sizes, size-1 dims, the `spatial` sizes, `trail` sizes."""
    result = ctx.fresh("f")
    ctx.emit(f"{result} = {name}.reshape({shape_tuple(lead + ['1'] * (3 - len(spatial)) + list(spatial) + trail)})")
    return result


def emit_check(ctx: NodeContext, condition: str, message: str) -> None:
    """Raise (naming the op) where `condition` holds."""
    ctx.emit(f"if {condition}:")
    with ctx.block():
        ctx.emit(ctx.fail(message))


def emit_geometry(ctx: NodeContext, sizes: Sequence[str], windows: Sequence[str], strides: Sequence[int],
                  dilation: Sequence[int], padding: str) -> Tuple[List[str], List[str]]:
    """Output lengths and leading paddings of each spatial dim, computed at run time; raise where a window does not fit."""
    ctx.helper("window_geometry", WINDOW_GEOMETRY, inline=False)
    lengths, before = [], []
    for size, window, s, d in zip(sizes, windows, strides, dilation):
        n, b = ctx.fresh("o"), ctx.fresh("b")
        ctx.emit(f"{n}, {b} = window_geometry({size}, {window}, {s}, {d}, {padding!r})")
        emit_check(ctx, f"{n} < 1", "the window does not fit the input")
        lengths.append(n)
        before.append(b)
    return lengths, before


# -- code generators ------------------------------------------------------------------------------
def _setup(ctx: NodeContext, x: str, window: Sequence[str]):
    """Geometry of the node's convolution over channels-last array `x` with `window` sizes."""
    op = ctx.node.op
    spatial = [f"{x}.shape[{1 + i}]" for i in range(op.ndim)]
    lengths, before = emit_geometry(ctx, spatial, window, op.strides, op.dilation, op.padding)
    return spatial, lengths, padded3(op.strides, "1"), padded3(op.dilation, "1"), padded3(before, "0")


def _need_gemm_helpers(ctx: NodeContext, *names_and_sources: Tuple[str, str]) -> None:
    ctx.helper("conv_patches", PATCHES, inline=False)
    ctx.helper("conv_chunk", chunking_source())
    for name, source in names_and_sources:
        ctx.helper(name, source, inline=False)


def _direct(op, window: Sequence[Optional[int]], channels: Optional[int]) -> bool:
    """Whether a convolution runs as `direct_loops`: a depthwise one always, a dense one when its
    window (known statically) holds at most `DIRECT_MAX_ELEMENTS` elements."""
    sizes = list(window) + [channels]
    return op.depthwise or (None not in sizes and int(np.prod(sizes)) <= DIRECT_MAX_ELEMENTS)


def _emit_direct(ctx: NodeContext, arrays: Tuple[str, str, str], kind: int, strides: str, dilation: str,
                 before: str) -> None:
    """Call `direct_loops` on the 5-d (input, kernel, output) `arrays`, the one written already zeroed."""
    ctx.helper("direct_loops", DIRECT, inline=False)
    ctx.emit(f"direct_loops({', '.join(arrays)}, {kind}, {ctx.node.op.depthwise}, {strides}, {dilation}, {before})")


@register_codegen(Conv)
def emit_conv(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (x, k), (out,) = ctx.inputs, ctx.outputs
    dtype, nd = node.outputs[0].dtype, op.ndim
    xc, kc = emit_contiguous(ctx, x, node.inputs[0], dtype), emit_contiguous(ctx, k, node.inputs[1], dtype)
    emit_check(ctx, f"{xc}.shape[{nd + 1}] != {kc}.shape[{nd}]", "the input's channels do not match the kernel")
    window = [f"{kc}.shape[{i}]" for i in range(nd)]
    spatial, lengths, strides, dilation, before = _setup(ctx, xc, window)
    batch, c, last = f"{xc}.shape[0]", f"{kc}.shape[{nd}]", f"{kc}.shape[{nd + 1}]"
    x5 = as5(ctx, xc, [batch], spatial, [c])
    k5 = as5(ctx, kc, [], window, [c, last])
    out5 = ctx.fresh("y")
    channels = f"{c} * {last}" if op.depthwise else last
    static = node.inputs[1].type.shape
    if _direct(op, static[:nd], static[nd]):
        ctx.emit(f"{out5} = np.zeros({shape_tuple([batch] + ['1'] * (3 - nd) + lengths + [channels])}, "
                 f"{dtype_expr(dtype)})")
        _emit_direct(ctx, (x5, k5, out5), 0, strides, dilation, before)
    else:
        _need_gemm_helpers(ctx, ("conv_forward", FORWARD))
        ctx.emit(f"{out5} = conv_forward({x5}, {k5}, {strides}, {dilation}, {before}, {padded3(lengths, '1')})")
    ctx.emit(f"{out} = {out5}.reshape({shape_tuple([batch] + lengths + [channels])})")


def _read_lengths(ctx: NodeContext, vector: str, prefix: str, nd: int) -> List[str]:
    """Fresh names holding the `nd` entries of the runtime length vector `vector` (an output or window size)."""
    names = [ctx.fresh(prefix) for _ in range(nd)]
    for i, name in enumerate(names):
        ctx.emit(f"{name} = {vector}[{i}]")
    return names


def _check_gz(ctx: NodeContext, gz: str, lengths: Sequence[str], channels: str) -> None:
    nd = len(lengths)
    mismatch = " or ".join([f"{gz}.shape[{1 + i}] != {n}" for i, n in enumerate(lengths)]
                           + [f"{gz}.shape[{nd + 1}] != {channels}"])
    emit_check(ctx, mismatch, "the output gradient does not fit the input and the kernel")


@register_codegen(ConvGradInput)
def emit_conv_grad_input(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (gz, k, size), (out,) = ctx.inputs, ctx.outputs
    dtype, nd = node.outputs[0].dtype, op.ndim
    gc, kc = emit_contiguous(ctx, gz, node.inputs[0], dtype), emit_contiguous(ctx, k, node.inputs[1], dtype)
    spatial = _read_lengths(ctx, size, "n", nd)
    window = [f"{kc}.shape[{i}]" for i in range(nd)]
    lengths, before = emit_geometry(ctx, spatial, window, op.strides, op.dilation, op.padding)
    batch, c, last = f"{gc}.shape[0]", f"{kc}.shape[{nd}]", f"{kc}.shape[{nd + 1}]"
    _check_gz(ctx, gc, lengths, f"{c} * {last}" if op.depthwise else last)
    g5 = as5(ctx, gc, [batch], lengths, [f"{gc}.shape[{nd + 1}]"])
    k5 = as5(ctx, kc, [], window, [c, last])
    strides, dilation = padded3(op.strides, "1"), padded3(op.dilation, "1")
    gx5 = ctx.fresh("y")
    if op.depthwise:  # a dense input gradient sums over the output channels: GEMM at any size
        ctx.emit(f"{gx5} = np.zeros({shape_tuple([batch] + ['1'] * (3 - nd) + spatial + [c])}, {dtype_expr(dtype)})")
        _emit_direct(ctx, (gx5, k5, g5), 1, strides, dilation, padded3(before, "0"))
    else:
        _need_gemm_helpers(ctx, ("conv_grad_input", GRAD_INPUT))
        ctx.emit(f"{gx5} = conv_grad_input({g5}, {k5}, {strides}, {dilation}, {padded3(before, '0')}, "
                 f"{padded3(spatial, '1')})")
    ctx.emit(f"{out} = {gx5}.reshape({shape_tuple([batch] + spatial + [c])})")


@register_codegen(ConvGradKernel)
def emit_conv_grad_kernel(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (x, gz, win), (out,) = ctx.inputs, ctx.outputs
    dtype, nd = node.outputs[0].dtype, op.ndim
    xc, gc = emit_contiguous(ctx, x, node.inputs[0], dtype), emit_contiguous(ctx, gz, node.inputs[1], dtype)
    window = _read_lengths(ctx, win, "k", nd)
    spatial, lengths, strides, dilation, before = _setup(ctx, xc, window)
    batch, c, o = f"{xc}.shape[0]", f"{xc}.shape[{nd + 1}]", f"{gc}.shape[{nd + 1}]"
    if op.depthwise:
        emit_check(ctx, f"{o} % {c} != 0", "the output gradient's channels are not a multiple of the input's")
    last = f"{o} // {c}" if op.depthwise else o
    _check_gz(ctx, gc, lengths, o)
    emit_check(ctx, f"{gc}.shape[0] != {batch}", "the output gradient's batch differs from the input's")
    x5 = as5(ctx, xc, [batch], spatial, [c])
    g5 = as5(ctx, gc, [batch], lengths, [o])
    gw5 = ctx.fresh("y")
    static_window = list(node.inputs[2].data) if isinstance(node.inputs[2], Constant) else [None] * nd
    if _direct(op, static_window, node.inputs[0].type.shape[-1]):
        ctx.emit(f"{gw5} = np.zeros({shape_tuple(['1'] * (3 - nd) + window + [c, last])}, {dtype_expr(dtype)})")
        _emit_direct(ctx, (x5, gw5, g5), 2, strides, dilation, before)
    else:
        _need_gemm_helpers(ctx, ("conv_grad_kernel", GRAD_KERNEL))
        ctx.emit(f"{gw5} = conv_grad_kernel({x5}, {g5}, {padded3(window, '1')}, {strides}, {dilation}, {before})")
    ctx.emit(f"{out} = {gw5}.reshape({shape_tuple(window + [c, last])})")
