"""Numba code for `Elemwise` nodes: one explicit loop nest per node, fused programs inline.

Broadcasting is decided by the types (a static 1 broadcasts, anything else must match),
so the generator indexes a broadcast dimension with 0 and checks the other sizes once
per call before the loop.  An explicit scalar loop compiles in a fraction of the time
numpy array expressions take inside Numba (DESIGN.md, "The linkers").
"""
from __future__ import annotations

from typing import List

from symkeras.graph.linker.numba.codegen import SHAPE_MISMATCH, NodeContext, dtype_expr, index_expr, register_codegen
from symkeras.ops.composite import Composite
from symkeras.ops.scalar import FAST_FLOAT32, ScalarOp
from symkeras.ops.elemwise import Elemwise
from symkeras.ops.gradient import StopGradient


def loop_sizes(ctx: NodeContext) -> List[str]:
    """An expression for each output dimension's size, taken from an input that is not broadcast there."""
    node = ctx.node
    out = node.outputs[0]
    sizes = []
    for axis in range(out.ndim):
        size = "1"
        for var, name in zip(node.inputs, ctx.inputs):
            lead = out.ndim - var.ndim
            if axis >= lead and var.type.shape[axis - lead] != 1 and ctx.scalar_literal(var) is None:
                size = f"{name}.shape[{axis - lead}]"
                break
        sizes.append(size)
    return sizes


def emit_size_checks(ctx: NodeContext, sizes: List[str]) -> None:
    """Raise before the loop if an input's run-time shape disagrees with the loop's."""
    node = ctx.node
    out_ndim = node.outputs[0].ndim
    mismatches = []
    for var, name in zip(node.inputs, ctx.inputs):
        lead = out_ndim - var.ndim
        for axis, static in enumerate(var.type.shape):
            size = sizes[lead + axis]
            if static != 1 and size != f"{name}.shape[{axis}]":
                mismatches.append(f"{name}.shape[{axis}] != {size}")
    ctx.check(mismatches, SHAPE_MISMATCH)


def element_reads(ctx: NodeContext, loop_vars: List[str]) -> List[str]:
    """The expression reading each input's element at the current loop position."""
    out_ndim = ctx.node.outputs[0].ndim
    reads = []
    for var, name in zip(ctx.node.inputs, ctx.inputs):
        lit = ctx.scalar_literal(var)
        if lit is not None:
            reads.append(lit)
            continue
        lead = out_ndim - var.ndim
        idx = ["0" if d == 1 else loop_vars[lead + a] for a, d in enumerate(var.type.shape)]
        reads.append(index_expr(name, idx))
    return reads


def scalar_call(ctx: NodeContext, op: ScalarOp, args: List[str], dtype: str) -> str:
    """The expression applying `op` to `args`: a vectorizable float32 helper where there is one.

    The scalar helpers are compiled once per module and called, not inlined by Numba at
    each call: LLVM inlines them all the same (the loops still vectorize, as fast), and a
    kernel calling them compiles 20-30% sooner (0.67 -> 0.49 s for two tanh and a sigmoid).
    """
    if dtype == "float32" and op.name in FAST_FLOAT32 and ctx.fast_float32:
        function, helpers = FAST_FLOAT32[op.name]
        for helper in helpers:
            ctx.helper(helper, inline=False)
        return f"{function}({args[0]})"
    for helper in op.helpers:
        ctx.helper(helper, inline=False)
    return op.numba_expr(*args)


def scalar_body(ctx: NodeContext, args: List[str]) -> str:
    """Emit the statements of the scalar function and return the expression of its result."""
    scalar_op = ctx.node.op.scalar_op
    if not isinstance(scalar_op, Composite):
        return scalar_call(ctx, scalar_op, args, ctx.node.outputs[0].dtype)
    values = list(args)
    for op, slots, dtype in scalar_op.program:
        name = ctx.fresh("e")
        ctx.emit(f"{name} = {dtype_expr(dtype)}({scalar_call(ctx, op, [values[s] for s in slots], dtype)})")
        values.append(name)
    return values[-1]


@register_codegen(Elemwise)
def elemwise_loop(ctx: NodeContext) -> None:
    node = ctx.node
    out = node.outputs[0]
    (result,) = ctx.outputs
    sizes = loop_sizes(ctx)
    emit_size_checks(ctx, sizes)
    if node.op.inplace is not None:
        ctx.emit(f"{result} = {ctx.inputs[node.op.inplace]}")
    else:
        shape = "(" + "".join(f"{s}, " for s in sizes) + ")"
        ctx.emit(f"{result} = np.empty({shape}, {dtype_expr(out.dtype)})")
    loop_vars = [ctx.fresh("j") for _ in sizes]
    for var, size in zip(loop_vars, sizes):
        ctx.emit(f"for {var} in range({size}):")
        ctx.writer.indent += 1
    reads = element_reads(ctx, loop_vars)
    expr = scalar_body(ctx, reads)
    ctx.emit(f"{index_expr(result, loop_vars)} = {expr}")
    ctx.writer.indent -= len(loop_vars)


@register_codegen(StopGradient)
def identity_view(ctx: NodeContext) -> None:
    """Stop-gradient is the identity at run time (the optimizer normally removes it)."""
    ctx.emit(f"{ctx.outputs[0]} = {ctx.inputs[0]}")
