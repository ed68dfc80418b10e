"""Numba code for `Reduce`, `ArgReduce` and `CumOp`: explicit loop nests over the input.

Loops run over the input in its natural (C) order.  The reduced axes that trail every
kept axis are summed into a scalar accumulator (float64 for float32 sums), the innermost
one in blocks of four-way unrolled partial sums (which breaks the add-latency chain and
vectorises); a reduced axis in front of a kept axis accumulates
into the output array, which then starts filled with the identity.  Sizes are read from
the input at run time, so one generated source serves every batch size.
"""
from __future__ import annotations

from typing import List, Sequence

import numpy as np

from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr, index_expr, literal, register_codegen
from symkeras.graph.linker.numba.loops import dims, emit_alloc, loop_nest, shape_tuple
from symkeras.ops.reduction import ArgReduce, CumOp, Reduce

UNROLL = 4
BLOCK = 256


# -- shared helpers -----------------------------------------------------------------------------
def accumulator_dtype(kind: str, dtype: str) -> str:
    """Sums and products of low-precision floats accumulate in float64."""
    if kind in ("sum", "prod", "add", "mul") and np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize < 8:
        return "float64"
    return dtype


def extreme(dtype: str, largest: bool) -> str:
    """The greatest (or least) value of `dtype` as a literal: the start of a min (or max)."""
    kind = np.dtype(dtype).kind
    if kind == "b":
        return literal(largest, dtype)
    if kind in "iu":
        info = np.iinfo(dtype)
        return literal(info.max if largest else info.min, dtype)
    return literal(np.inf if largest else -np.inf, dtype)


def emit_nonempty_checks(ctx: NodeContext, x: str, static_shape: Sequence, axes: Sequence[int], what: str) -> None:
    """Raise where a reduced axis with no static size is empty at run time (numpy raises there)."""
    ctx.check([f"{x}.shape[{a}] == 0" for a in axes if static_shape[a] is None], what)


# -- Reduce -------------------------------------------------------------------------------------
def _identity(kind: str, dtype: str) -> str:
    return {
        "sum": lambda: literal(0, dtype),
        "prod": lambda: literal(1, dtype),
        "any": lambda: "False",
        "all": lambda: "True",
        "max": lambda: extreme(dtype, largest=False),
        "min": lambda: extreme(dtype, largest=True),
    }[kind]()


def _combine(kind: str, acc: str, v: str) -> str:
    """The expression folding element `v` (a name or literal) into accumulator `acc`; NaN wins max/min."""
    if kind == "sum":
        return f"{acc} + {v}"
    if kind == "prod":
        return f"{acc} * {v}"
    if kind == "any":
        return f"{acc} or {v} != 0"
    if kind == "all":
        return f"{acc} and {v} != 0"
    cmp = ">" if kind == "max" else "<"
    return f"{v} if ({v} {cmp} {acc} or {v} != {v}) else {acc}"


@register_codegen(Reduce)
def reduce_loop(ctx: NodeContext) -> None:
    op, node = ctx.node.op, ctx.node
    (x,), (out,) = ctx.inputs, ctx.outputs
    xvar, ovar = node.inputs[0], node.outputs[0]
    ndim, axes, kind = xvar.ndim, set(op.axes), op.kind
    acc_dtype = accumulator_dtype(kind, ovar.dtype)
    if kind in ("max", "min"):
        emit_nonempty_checks(ctx, x, xvar.type.shape, op.axes, "zero-size reduction with no identity")
    # the trailing run of reduced axes goes into a scalar accumulator
    split = ndim
    while split > 0 and split - 1 in axes:
        split -= 1
    mixed = any(a < split for a in axes)
    out_sizes = [("1" if a in axes else s) for a, s in enumerate(dims(x, ndim)) if a not in axes or op.keepdims]
    if mixed:
        fill = {"sum": "zeros", "any": "zeros", "prod": "ones", "all": "ones"}.get(kind)
        if fill is not None:
            emit_alloc(ctx, out, out_sizes, ovar.dtype, fill)
        else:
            ctx.emit(f"{out} = np.full({shape_tuple(out_sizes)}, {_identity(kind, ovar.dtype)}, {dtype_expr(ovar.dtype)})")
    else:
        emit_alloc(ctx, out, out_sizes, ovar.dtype)
    cast = dtype_expr(acc_dtype) if kind in ("sum", "prod") else ""
    acc = ctx.fresh("acc")
    with loop_nest(ctx, dims(x, split)) as outer:
        out_idx = [("0" if a in axes else outer[a]) for a in range(split) if a not in axes or op.keepdims]
        out_idx += ["0"] * (ndim - split if op.keepdims else 0)
        target = index_expr(out, out_idx)
        ctx.emit(f"{acc} = {cast}({target})" if mixed else f"{acc} = {_identity(kind, acc_dtype)}")
        if split == ndim:
            v = ctx.fresh("v")
            ctx.emit(f"{v} = {cast}({index_expr(x, outer)})")
            ctx.emit(f"{acc} = {_combine(kind, acc, v)}")
        else:
            with loop_nest(ctx, dims(x, ndim)[split:-1]) as middle:
                _emit_inner_fold(ctx, kind, acc, ovar.dtype, x, outer + middle, f"{x}.shape[{ndim - 1}]")
        ctx.emit(f"{target} = {acc}")


def _emit_inner_fold(ctx: NodeContext, kind: str, acc: str, part_dtype: str, x: str,
                     prefix: List[str], size: str) -> None:
    """Fold the innermost axis of `x` (at index `prefix`) into `acc`.

    The axis is cut into blocks of `BLOCK`; each block is folded into `UNROLL` partial
    accumulators of `part_dtype` (independent chains that LLVM turns into SIMD lanes), which
    are then folded into `acc`.  A plain loop is latency-bound and ``range`` with a step is
    slow in Numba, so the unrolled loop counts groups.  Blocks keep float32 sums accurate.
    """
    j = ctx.fresh("j")
    if kind in ("any", "all"):
        ctx.emit(f"for {j} in range({size}):")
        with ctx.block():
            ctx.emit(f"{acc} = {_combine(kind, acc, index_expr(x, prefix + [j]))}")
        return
    cast = dtype_expr(part_dtype) if kind in ("sum", "prod") else ""
    parts = [ctx.fresh("p") for _ in range(UNROLL)]
    n, blk, lo, hi, g, v, u = (ctx.fresh(p) for p in ("n", "b", "lo", "hi", "g", "v", "u"))
    nan_flag = kind in ("max", "min") and np.dtype(part_dtype).kind == "f"
    ctx.emit(f"{n} = {size}")
    ctx.emit(f"for {blk} in range(({n} + {BLOCK - 1}) // {BLOCK}):")
    with ctx.block():
        ctx.emit(f"{lo} = {blk} * {BLOCK}")
        ctx.emit(f"{hi} = min({lo} + {BLOCK}, {n})")
        for p in parts:
            ctx.emit(f"{p} = {_identity(kind, part_dtype)}")
        if nan_flag:
            ctx.emit(f"{u} = False")
        ctx.emit(f"for {g} in range(({hi} - {lo}) // {UNROLL}):")
        with ctx.block():
            ctx.emit(f"{j} = {lo} + {UNROLL} * {g}")
            for k, p in enumerate(parts):
                ctx.emit(f"{v} = {cast}({index_expr(x, prefix + [f'{j} + {k}' if k else j])})")
                if nan_flag:  # an ordered select vectorises; NaNs are noted apart
                    ctx.emit(f"{p} = {v} if {v} {'>' if kind == 'max' else '<'} {p} else {p}")
                    ctx.emit(f"{u} |= {v} != {v}")
                else:
                    ctx.emit(f"{p} = {_combine(kind, p, v)}")
        ctx.emit(f"for {j} in range({hi} - ({hi} - {lo}) % {UNROLL}, {hi}):")
        with ctx.block():
            ctx.emit(f"{v} = {cast}({index_expr(x, prefix + [j])})")
            ctx.emit(f"{parts[0]} = {_combine(kind, parts[0], v)}")
        while len(parts) > 1:  # pairwise: (p0 . p1) . (p2 . p3)
            for a, b in zip(parts[::2], parts[1::2]):
                ctx.emit(f"{a} = {_combine(kind, a, b)}")
            parts = parts[::2]
        if nan_flag:
            ctx.emit(f"if {u}:")
            with ctx.block():
                ctx.emit(f"{parts[0]} = {literal(np.nan, part_dtype)}")
        ctx.emit(f"{acc} = {_combine(kind, acc, parts[0])}")


# -- ArgReduce ----------------------------------------------------------------------------------
@register_codegen(ArgReduce)
def arg_reduce_loop(ctx: NodeContext) -> None:
    """The first index of the extremum; a NaN counts as the extremum (numpy's rule)."""
    op, node = ctx.node.op, ctx.node
    (x,), (out,) = ctx.inputs, ctx.outputs
    xvar = node.inputs[0]
    ndim = xvar.ndim
    cmp = ">" if op.kind == "argmax" else "<"
    best, where, v = ctx.fresh("best"), ctx.fresh("at"), ctx.fresh("v")
    axes = list(range(ndim)) if op.axis is None else [op.axis]
    emit_nonempty_checks(ctx, x, xvar.type.shape, axes, "argmax/argmin of an empty sequence")

    def emit_update(index: str, read: str) -> None:
        ctx.emit(f"{v} = {read}")
        ctx.emit(f"if {v} {cmp} {best} or ({v} != {v} and {best} == {best}):")
        with ctx.block():
            ctx.emit(f"{best} = {v}")
            ctx.emit(f"{where} = {index}")

    if op.axis is None:  # the flattened tensor, in C order
        emit_alloc(ctx, out, ["1"] * ndim if op.keepdims else [], "int64")
        pos = ctx.fresh("k")
        ctx.emit(f"{best} = {index_expr(x, ['0'] * ndim)}")
        ctx.emit(f"{where} = 0")
        ctx.emit(f"{pos} = 0")
        with loop_nest(ctx, dims(x, ndim)) as idx:
            emit_update(pos, index_expr(x, idx))
            ctx.emit(f"{pos} += 1")
        ctx.emit(f"{index_expr(out, ['0'] * ndim if op.keepdims else [])} = {where}")
        return
    axis = op.axis
    sizes = dims(x, ndim)
    kept = [s for a, s in enumerate(sizes) if a != axis]
    emit_alloc(ctx, out, [("1" if a == axis else s) for a, s in enumerate(sizes) if a != axis or op.keepdims], "int64")
    with loop_nest(ctx, kept) as idx:
        full = idx[:axis] + ["0"] + idx[axis:]
        ctx.emit(f"{best} = {index_expr(x, full)}")
        ctx.emit(f"{where} = 0")
        j = ctx.fresh("j")
        ctx.emit(f"for {j} in range(1, {sizes[axis]}):")
        with ctx.block():
            emit_update(j, index_expr(x, idx[:axis] + [j] + idx[axis:]))
        ctx.emit(f"{index_expr(out, idx[:axis] + ['0'] + idx[axis:] if op.keepdims else idx)} = {where}")


# -- CumOp --------------------------------------------------------------------------------------
@register_codegen(CumOp)
def cum_loop(ctx: NodeContext) -> None:
    """Natural-order loops; each element adds (multiplies) its predecessor along the axis."""
    op, node = ctx.node.op, ctx.node
    (x,), (out,) = ctx.inputs, ctx.outputs
    ovar = node.outputs[0]
    ndim, axis = ovar.ndim, op.axis
    sizes = dims(x, ndim)
    emit_alloc(ctx, out, sizes, ovar.dtype)
    cast = dtype_expr(ovar.dtype)
    symbol = "+" if op.kind == "add" else "*"
    n = sizes[axis]
    names = [ctx.fresh("j") for _ in range(ndim)]
    for a, (name, size) in enumerate(zip(names, sizes)):
        ctx.emit(f"for {name} in range({f'{n} - 1, -1, -1' if a == axis and op.reverse else size}):")
        ctx.writer.indent += 1
    here = index_expr(out, names)
    first, step = (f"{n} - 1", "+ 1") if op.reverse else ("0", "- 1")
    prev = index_expr(out, names[:axis] + [f"{names[axis]} {step}"] + names[axis + 1:])
    ctx.emit(f"if {names[axis]} == {first}:")
    with ctx.block():
        ctx.emit(f"{here} = {cast}({index_expr(x, names)})")
    ctx.emit("else:")
    with ctx.block():
        ctx.emit(f"{here} = {prev} {symbol} {cast}({index_expr(x, names)})")
    ctx.writer.indent -= ndim
