"""Numba code for `Pool` and `PoolGrad`: explicit loops over 5-d arrays, channels innermost.

As for convolutions (`symkeras.graph.linker.numba.conv`), 1-D and 2-D pooling runs as
3-D pooling with leading spatial dims of size 1, in the runtime functions of
`symkeras.graph.linker.numba.batch_loops` (parallel over the samples).  For each output
position the window is walked once, the channel loop innermost (contiguous); an average
divides by the number of elements inside the input; the max gradient goes to the first
position of the maximum (strict ``>`` in window order).
"""
from __future__ import annotations

from symkeras.graph.linker.numba.codegen import NodeContext, register_codegen
from symkeras.graph.linker.numba.conv import (BATCH_LOOPS, as5, emit_contiguous, emit_geometry, padded3,
                                               tasks_for)
from symkeras.graph.linker.numba.loops import shape_tuple
from symkeras.ops.pool import Pool, PoolGrad


def _geometry(ctx: NodeContext, x: str):
    """The output lengths and a 5-d view of `x`, plus the window tuples, for the node's pooling."""
    op = ctx.node.op
    spatial = [f"{x}.shape[{1 + i}]" for i in range(op.ndim)]
    ones = (1,) * op.ndim
    lengths, before = emit_geometry(ctx, spatial, op.pool_size, op.strides, ones, op.padding)
    batch, c = f"{x}.shape[0]", f"{x}.shape[{op.ndim + 1}]"
    x5 = as5(ctx, x, [batch], spatial, [c])
    tuples = (padded3(op.pool_size, "1"), padded3(op.strides, "1"), padded3(before, "0"))
    return lengths, x5, tuples, batch, c


@register_codegen(Pool)
def emit_pool(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (x,), (out,) = ctx.inputs, ctx.outputs
    xc = emit_contiguous(ctx, x, node.inputs[0], node.inputs[0].dtype)
    lengths, x5, (window, strides, before), batch, c = _geometry(ctx, xc)
    ctx.runtime_function(BATCH_LOOPS, "pool_forward", tasks_for(ctx, node.inputs[0].dtype))
    out5 = ctx.fresh("y")
    ctx.emit(f"{out5} = np.empty({shape_tuple([batch] + ['1'] * (3 - op.ndim) + lengths + [c])}, {xc}.dtype)")
    ctx.emit(f"pool_forward({x5}, {out5}, {window}, {strides}, {before}, {op.mode == 'max'})")
    ctx.emit(f"{out} = {out5}.reshape({shape_tuple([batch] + lengths + [c])})")


@register_codegen(PoolGrad)
def emit_pool_grad(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (x, gz), (out,) = ctx.inputs, ctx.outputs
    dtype = node.outputs[0].dtype
    xc, gc = emit_contiguous(ctx, x, node.inputs[0], dtype), emit_contiguous(ctx, gz, node.inputs[1], dtype)
    lengths, x5, (window, strides, before), batch, c = _geometry(ctx, xc)
    ctx.check([f"{gc}.shape[{k}] != {n}" for k, n in enumerate([batch] + lengths + [c])],
              "the output gradient does not fit the input")
    g5 = as5(ctx, gc, [batch], lengths, [c])
    ctx.runtime_function(BATCH_LOOPS, "pool_grad", tasks_for(ctx, dtype))
    ctx.emit(f"{out} = np.empty({xc}.shape, {xc}.dtype)")  # pool_grad zeroes each sample in its parallel task
    ctx.emit(f"pool_grad({x5}, {g5}, {as5(ctx, out, [batch], [f'{xc}.shape[{1 + i}]' for i in range(op.ndim)], [c])}, "
             f"{window}, {strides}, {before}, {op.mode == 'max'})")
