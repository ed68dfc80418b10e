"""Numba code for `Pool` and `PoolGrad`: explicit loops over 5-d arrays, channels innermost.

As for convolutions (`symkeras.graph.linker.numba.conv`), 1-D and 2-D pooling runs as
3-D pooling with leading spatial dims of size 1, in module-level helpers compiled once
per module.  For each output position the window is walked once, the channel loop
innermost (contiguous); an average divides by the number of elements inside the input;
the max gradient goes to the first position of the maximum (strict ``>`` in window order).
"""
from __future__ import annotations

from symkeras.graph.linker.numba.codegen import NodeContext, register_codegen
from symkeras.graph.linker.numba.conv import as5, emit_check, emit_contiguous, emit_geometry, padded3
from symkeras.graph.linker.numba.loops import shape_tuple
from symkeras.ops.pool import Pool, PoolGrad

POOL_WINDOW = '''
def pool_window(o, stride, before, size, n):
    """The input positions [lo, hi) of output position o's window, clipped to the n inside the input."""
    start = o * stride - before
    lo = max(start, 0)
    return lo, max(lo, min(start + size, n))
'''

POOL = '''
def pool_forward(x, out, window, strides, before, is_max):
    """The max (or the average over the elements inside x) of each window, into out."""
    d_in, h_in, w_in, c = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    for b in range(out.shape[0]):
        for i in range(out.shape[1]):
            d0, d1 = pool_window(i, strides[0], before[0], window[0], d_in)
            for j in range(out.shape[2]):
                h0, h1 = pool_window(j, strides[1], before[1], window[1], h_in)
                for l in range(out.shape[3]):
                    w0, w1 = pool_window(l, strides[2], before[2], window[2], w_in)
                    for t in range(c):
                        out[b, i, j, l, t] = -np.inf if is_max else 0
                    for zd in range(d0, d1):
                        for zh in range(h0, h1):
                            for zw in range(w0, w1):
                                for t in range(c):
                                    v = x[b, zd, zh, zw, t]
                                    if is_max:
                                        if v > out[b, i, j, l, t]:
                                            out[b, i, j, l, t] = v
                                    else:
                                        out[b, i, j, l, t] += v
                    if not is_max:
                        count = (d1 - d0) * (h1 - h0) * (w1 - w0)
                        for t in range(c):
                            out[b, i, j, l, t] /= count
'''

POOL_GRAD = '''
def pool_grad(x, gz, gx, window, strides, before, is_max):
    """Add each output gradient into gx: at the first maximum of its window, or spread over the
    elements of the window inside x."""
    d_in, h_in, w_in, c = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    gx_rows = gx.reshape((gx.shape[0] * d_in * h_in * w_in, c))
    best = np.empty(c, x.dtype)
    at = np.empty(c, np.int64)  # the gx row (sample, position) of each channel's first maximum, -1 for none
    for b in range(gz.shape[0]):
        for i in range(gz.shape[1]):
            d0, d1 = pool_window(i, strides[0], before[0], window[0], d_in)
            for j in range(gz.shape[2]):
                h0, h1 = pool_window(j, strides[1], before[1], window[1], h_in)
                for l in range(gz.shape[3]):
                    w0, w1 = pool_window(l, strides[2], before[2], window[2], w_in)
                    if not is_max:
                        count = (d1 - d0) * (h1 - h0) * (w1 - w0)
                        for zd in range(d0, d1):
                            for zh in range(h0, h1):
                                for zw in range(w0, w1):
                                    for t in range(c):
                                        gx[b, zd, zh, zw, t] += gz[b, i, j, l, t] / count
                        continue
                    for t in range(c):
                        best[t] = -np.inf
                        at[t] = -1
                    for zd in range(d0, d1):
                        for zh in range(h0, h1):
                            for zw in range(w0, w1):
                                row = ((b * d_in + zd) * h_in + zh) * w_in + zw
                                for t in range(c):  # selects, not branches: vectorised, no mispredictions
                                    v = x[b, zd, zh, zw, t]
                                    better = v > best[t]
                                    best[t] = v if better else best[t]
                                    at[t] = row if better else at[t]
                    for t in range(c):
                        if at[t] >= 0:
                            gx_rows[at[t], t] += gz[b, i, j, l, t]
'''


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
    ctx.helper("pool_window", POOL_WINDOW)
    ctx.helper("pool_forward", POOL, inline=False)
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
    mismatch = " or ".join([f"{gc}.shape[{k}] != {n}" for k, n in enumerate([batch] + lengths + [c])])
    emit_check(ctx, mismatch, "the output gradient does not fit the input")
    g5 = as5(ctx, gc, [batch], lengths, [c])
    ctx.helper("pool_window", POOL_WINDOW)
    ctx.helper("pool_grad", POOL_GRAD, inline=False)
    ctx.emit(f"{out} = np.zeros({xc}.shape, {xc}.dtype)")
    ctx.emit(f"pool_grad({x5}, {g5}, {as5(ctx, out, [batch], [f'{xc}.shape[{1 + i}]' for i in range(op.ndim)], [c])}, "
             f"{window}, {strides}, {before}, {op.mode == 'max'})")
