"""Numba code for the shape ops: `Shape`, `Alloc`, `Reshape`, `DimShuffle`, `Concatenate`.

`Reshape` and `DimShuffle` stay views (``reshape`` of a contiguous array, ``transpose``
and basic indexing); `Alloc` and `Concatenate` write fresh arrays with explicit loop
nests.  The small helpers here (loop nests, scalar reads, numpy-style broadcast reads)
are shared with the indexing generators in ``subtensor.py``.
"""
from __future__ import annotations

from typing import Sequence

from symkeras.graph.basic import Variable
from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr, index_expr, register_codegen
from symkeras.graph.linker.numba.loops import emit_alloc, loop_nest, shape_tuple
from symkeras.ops.shape import Alloc, Concatenate, DimShuffle, Reshape, Shape


# -- helpers shared with subtensor.py -------------------------------------------------------------
def scalar_read(ctx: NodeContext, var: Variable, name: str) -> str:
    """The value of a 0-d input: a literal for a constant, else ``name[()]``."""
    lit = ctx.scalar_literal(var)
    return lit if lit is not None else f"{name}[()]"


def int_read(ctx: NodeContext, var: Variable, name: str) -> str:
    """A 0-d int input as a Python-int expression (signed, so index arithmetic stays integral)."""
    return f"int({scalar_read(ctx, var, name)})"


def check_broadcast(ctx: NodeContext, var: Variable, name: str, sizes: Sequence[str]) -> None:
    """Raise unless `var` broadcasts to `sizes` (only dimensions typed 1 broadcast, as in the reference)."""
    if ctx.scalar_literal(var) is not None:
        return
    lead = len(sizes) - var.ndim
    ctx.check([f"{name}.shape[{axis}] != {sizes[lead + axis]}" for axis, static in enumerate(var.type.shape)
               if static != 1], "a value does not broadcast to the shape it is written into")


def broadcast_read(ctx: NodeContext, var: Variable, name: str, loop_vars: Sequence[str]) -> str:
    """The element of `var` (aligned to the right of `loop_vars`) at the current loop position."""
    lit = ctx.scalar_literal(var)
    if lit is not None:
        return lit
    lead = len(loop_vars) - var.ndim
    return index_expr(name, ["0" if d == 1 else loop_vars[lead + a] for a, d in enumerate(var.type.shape)])


# -- the shape ops ---------------------------------------------------------------------------------
@register_codegen(Shape)
def shape_vector(ctx: NodeContext) -> None:
    (x,), (out,) = ctx.inputs, ctx.outputs
    ndim = ctx.node.inputs[0].ndim
    ctx.emit(f"{out} = np.empty({ndim}, np.int64)")
    for axis in range(ndim):
        ctx.emit(f"{out}[{axis}] = {x}.shape[{axis}]")


@register_codegen(Alloc)
def alloc_fill(ctx: NodeContext) -> None:
    value_var, dim_vars = ctx.node.inputs[0], ctx.node.inputs[1:]
    value, (out,) = ctx.inputs[0], ctx.outputs
    sizes = []
    for var, name in zip(dim_vars, ctx.inputs[1:]):
        size = ctx.fresh("d")
        ctx.emit(f"{size} = {int_read(ctx, var, name)}")
        sizes.append(size)
    dtype = ctx.node.outputs[0].dtype
    if value_var.ndim == 0:  # a fill: no loop, so in a split graph no kernel to compile (an LSTM's zero states)
        ctx.emit(f"{out} = np.full({shape_tuple(sizes)}, {scalar_read(ctx, value_var, value)}, {dtype_expr(dtype)})")
        return
    check_broadcast(ctx, value_var, value, sizes)
    emit_alloc(ctx, out, sizes, dtype)
    with loop_nest(ctx, sizes) as js:
        ctx.emit(f"{index_expr(out, js)} = {broadcast_read(ctx, value_var, value, js)}")


@register_codegen(Reshape)
def reshape_view(ctx: NodeContext) -> None:
    # ascontiguousarray returns x itself when it is contiguous at run time (a 0-d x becomes 1-d, still a view)
    (x, target), (out,) = ctx.inputs, ctx.outputs
    sizes = [f"{target}[{k}]" for k in range(ctx.node.op.ndim)]
    ctx.emit(f"{out} = np.ascontiguousarray({x}).reshape({shape_tuple(sizes)})")


@register_codegen(DimShuffle)
def dimshuffle_view(ctx: NodeContext) -> None:
    op = ctx.node.op
    (x,), (out,) = ctx.inputs, ctx.outputs
    if not op.pattern:  # every axis dropped: a 0-d view through reshape
        ctx.emit(f"{out} = np.ascontiguousarray({x}).reshape(())")
        return
    expr = x
    if op.dropped:  # size-1 axes go away by indexing them with 0
        expr += "[" + ", ".join("0" if i in op.dropped else ":" for i in range(op.input_ndim)) + "]"
    kept = [p for p in op.pattern if p != "x"]
    order = sorted(kept)
    perm = [order.index(p) for p in kept]
    if perm == sorted(perm, reverse=True) and len(perm) > 1:
        expr += ".T"
    elif perm != sorted(perm):
        # Numba compiles ``transpose(axes)`` with a fancy-indexing permutation check: seconds at every site, cold
        view = ctx.fresh("p")
        ctx.emit(f"{view} = {expr}")
        shape = shape_tuple([f"{view}.shape[{k}]" for k in perm])
        strides = shape_tuple([f"{view}.strides[{k}]" for k in perm])
        expr = f"np.lib.stride_tricks.as_strided({view}, {shape}, {strides})"
    if "x" in op.pattern:
        expr += "[" + ", ".join("None" if p == "x" else ":" for p in op.pattern) + "]"
    ctx.emit(f"{out} = {expr}")


@register_codegen(Concatenate)
def concatenate_copy(ctx: NodeContext) -> None:
    axis, parts, names = ctx.node.op.axis, ctx.node.inputs, ctx.inputs
    (out,) = ctx.outputs
    first = names[0]
    ndim = parts[0].ndim
    ctx.check([f"{name}.shape[{d}] != {first}.shape[{d}]" for name in names[1:] for d in range(ndim) if d != axis],
              "the tensors differ in a dimension other than the concatenation axis")
    total = " + ".join(f"{name}.shape[{axis}]" for name in names)
    sizes = [total if d == axis else f"{first}.shape[{d}]" for d in range(ndim)]
    emit_alloc(ctx, out, sizes, ctx.node.outputs[0].dtype)
    offset = ctx.fresh("o")
    ctx.emit(f"{offset} = 0")
    for name in names:
        with loop_nest(ctx, [f"{name}.shape[{d}]" for d in range(ndim)]) as js:
            target = [f"{offset} + {j}" if d == axis else j for d, j in enumerate(js)]
            ctx.emit(f"{index_expr(out, target)} = {index_expr(name, js)}")
        ctx.emit(f"{offset} += {name}.shape[{axis}]")
