"""Numba code for `Conv`, `ConvGradInput` and `ConvGradKernel`: calls to the batch-parallel loop nests.

Every convolution runs as a 3-D one on 5-d arrays ``(batch, depth, height, width,
channels)``: 1-D and 2-D data get leading spatial dims of size 1 (a free reshape of a
contiguous array), so the runtime functions of `symkeras.graph.linker.numba.batch_loops`
serve every rank.  Per chunk of samples, each on a core of its own:

* forward: the patches are copied into a contiguous ``(rows, window * in)`` buffer
  (im2col), then ``gemm(cols, kernel_matrix) -> out_rows``;
* input gradient: ``gemm(gz_rows, kernel_matrix.T)``, then the patch columns are added
  back into the input (col2im, the same traversal as im2col);
* kernel gradient: ``cols.T @ gz_rows`` summed over the chunks of a group of samples, the
  groups' sums added in order.

Depthwise convolutions are memory-bound: one direct loop nest (``direct_loops``) serves the
forward and both gradients.  It also serves the forward and kernel gradient of a dense
convolution with a small window (a first layer on 1-3 channels), whose im2col GEMM would be
skinny.  The window geometry is `indexed_window_geometry` itself, compiled from its source, so the
kernels and the numpy reference cannot disagree.
"""
from __future__ import annotations

import inspect
from typing import List, Optional, Sequence, Tuple

import numpy as np

from symkeras.graph.basic import Constant
from symkeras.graph.linker.numba.codegen import CodegenError, NodeContext, dtype_expr, register_codegen, share_helper
from symkeras.graph.linker.numba.loops import shape_tuple
from symkeras.ops.conv import PADDINGS, Conv, ConvGradInput, ConvGradKernel, indexed_window_geometry

#: the runtime module with the loop nests (parallel over samples) of convolutions and pooling
BATCH_LOOPS = "symkeras.graph.linker.numba.batch_loops"

WINDOW_GEOMETRY = inspect.getsource(indexed_window_geometry)
share_helper("indexed_window_geometry", WINDOW_GEOMETRY)


#: the dtypes the loop nests of `BATCH_LOOPS` are compiled for
TASK_DTYPES = ("float32", "float64")


def tasks_for(ctx: NodeContext, dtype: str) -> str:
    """The setup call a module calling `BATCH_LOOPS` on arrays of `dtype` runs when imported."""
    if dtype not in TASK_DTYPES:
        raise CodegenError(f"{ctx.node.op}: the numba linker runs convolutions and pooling on float32 and float64 "
                           f"arrays, got {dtype}; use mode='py' for this graph")
    return f"require_tasks({dtype!r})"

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


def emit_geometry(ctx: NodeContext, sizes: Sequence[str], windows: Sequence[str], strides: Sequence[int],
                  dilation: Sequence[int], padding: str) -> Tuple[List[str], List[str]]:
    """Output lengths and leading paddings of each spatial dim, computed at run time; raise where a window does not fit."""
    ctx.helper("indexed_window_geometry", WINDOW_GEOMETRY, inline=False)
    lengths, before = [], []
    for size, window, s, d in zip(sizes, windows, strides, dilation):
        n, b = ctx.fresh("o"), ctx.fresh("b")
        ctx.emit(f"{n}, {b} = indexed_window_geometry({size}, {window}, {s}, {d}, {PADDINGS.index(padding)})")
        lengths.append(n)
        before.append(b)
    ctx.check([f"{n} < 1" for n in lengths], "the window does not fit the input")
    return lengths, before


# -- code generators ------------------------------------------------------------------------------
def _setup(ctx: NodeContext, x: str, window: Sequence[str]):
    """Geometry of the node's convolution over channels-last array `x` with `window` sizes."""
    op = ctx.node.op
    spatial = [f"{x}.shape[{1 + i}]" for i in range(op.ndim)]
    lengths, before = emit_geometry(ctx, spatial, window, op.strides, op.dilation, op.padding)
    return spatial, lengths, padded3(op.strides, "1"), padded3(op.dilation, "1"), padded3(before, "0")


def _direct(op, window: Sequence[Optional[int]], channels: Optional[int]) -> bool:
    """Whether a convolution runs as `direct_loops`: a depthwise one always, a dense one when its
    window (known statically) holds at most `DIRECT_MAX_ELEMENTS` elements."""
    sizes = list(window) + [channels]
    return op.depthwise or (None not in sizes and int(np.prod(sizes)) <= DIRECT_MAX_ELEMENTS)


def _emit_direct(ctx: NodeContext, arrays: Tuple[str, str, str], kind: int, strides: str, dilation: str,
                 before: str) -> None:
    """Call `direct_loops` on the 5-d (input, kernel, output) `arrays`, the one written already zeroed."""
    ctx.runtime_function(BATCH_LOOPS, "direct_loops", tasks_for(ctx, ctx.node.outputs[0].dtype))
    ctx.emit(f"direct_loops({', '.join(arrays)}, {kind}, {ctx.node.op.depthwise}, {strides}, {dilation}, {before})")


@register_codegen(Conv)
def emit_conv(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (x, k), (out,) = ctx.inputs, ctx.outputs
    dtype, nd = node.outputs[0].dtype, op.ndim
    xc, kc = emit_contiguous(ctx, x, node.inputs[0], dtype), emit_contiguous(ctx, k, node.inputs[1], dtype)
    ctx.check([f"{xc}.shape[{nd + 1}] != {kc}.shape[{nd}]"], "the input's channels do not match the kernel")
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
        ctx.runtime_function(BATCH_LOOPS, "conv_forward", tasks_for(ctx, dtype))
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
    ctx.check([f"{gz}.shape[{1 + i}] != {n}" for i, n in enumerate(lengths)] + [f"{gz}.shape[{nd + 1}] != {channels}"],
              "the output gradient does not fit the input and the kernel")


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
        ctx.runtime_function(BATCH_LOOPS, "conv_grad_input", tasks_for(ctx, dtype))
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
        ctx.check([f"{o} % {c} != 0"], "the output gradient's channels are not a multiple of the input's")
    last = f"{o} // {c}" if op.depthwise else o
    _check_gz(ctx, gc, lengths, o)
    ctx.check([f"{gc}.shape[0] != {batch}"], "the output gradient's batch differs from the input's")
    x5 = as5(ctx, xc, [batch], spatial, [c])
    g5 = as5(ctx, gc, [batch], lengths, [o])
    gw5 = ctx.fresh("y")
    static_window = list(node.inputs[2].data) if isinstance(node.inputs[2], Constant) else [None] * nd
    if _direct(op, static_window, node.inputs[0].type.shape[-1]):
        ctx.emit(f"{gw5} = np.zeros({shape_tuple(['1'] * (3 - nd) + window + [c, last])}, {dtype_expr(dtype)})")
        _emit_direct(ctx, (x5, gw5, g5), 2, strides, dilation, before)
    else:
        ctx.runtime_function(BATCH_LOOPS, "conv_grad_kernel", tasks_for(ctx, dtype))
        ctx.emit(f"{gw5} = conv_grad_kernel({x5}, {g5}, {padded3(window, '1')}, {strides}, {dilation}, {before})")
    ctx.emit(f"{out} = {gw5}.reshape({shape_tuple(window + [c, last])})")
