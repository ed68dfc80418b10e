"""Numba code for the softmax family and the fused softmax-crossentropy ops.

Each op loops over the "rows" (every index of the other axes) and makes a few passes
along its axis: the maximum (a non-finite maximum becomes 0, as in the numpy reference),
the sum of ``exp(x - max)`` accumulated in float64, then the normalised output or the
per-row loss.  So logits of any magnitude give finite results.
"""
from __future__ import annotations

from typing import Callable, List, Tuple

from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr, index_expr, literal, register_codegen
from symkeras.graph.linker.numba.loops import dims, emit_alloc, loop_nest
from symkeras.ops.nnet import LogSoftmax, Softmax, SoftmaxCrossentropyWithLogits, SparseSoftmaxCrossentropyWithLogits

Reader = Callable[[str], str]


def _row_reader(name: str, row: List[str], axis: int) -> Reader:
    """Reads element `j` along `axis` of array `name` at the other indices `row`."""
    return lambda j: index_expr(name, row[:axis] + [j] + row[axis:])


def emit_row_shift_and_sum(ctx: NodeContext, read: Reader, n: str, dtype: str,
                           store: Reader = None) -> Tuple[str, str]:
    """Emit the max pass and the ``sum(exp(x - max))`` pass over one row; return (shift, sum) names.

    `store(j)`, if given, is where each ``exp(x - shift)`` is written (softmax reuses it).
    """
    m, s, v, e, j = ctx.fresh("mx"), ctx.fresh("se"), ctx.fresh("v"), ctx.fresh("ex"), ctx.fresh("j")
    cast = dtype_expr(dtype)
    ctx.emit(f"{m} = {literal(float('-inf'), dtype)}")
    ctx.emit(f"for {j} in range({n}):")
    with ctx.block():
        ctx.emit(f"{v} = {cast}({read(j)})")
        ctx.emit(f"if {v} > {m} or {v} != {v}:")
        with ctx.block():
            ctx.emit(f"{m} = {v}")
    ctx.emit(f"if not abs({m}) < math.inf:")
    with ctx.block():
        ctx.emit(f"{m} = {literal(0, dtype)}")
    ctx.emit(f"{s} = 0.0")
    ctx.emit(f"for {j} in range({n}):")
    with ctx.block():
        ctx.emit(f"{e} = {cast}(math.exp({cast}({read(j)}) - {m}))")
        if store is not None:
            ctx.emit(f"{store(j)} = {e}")
        ctx.emit(f"{s} += {e}")
    return m, s


def _softmax_rows(ctx: NodeContext, log: bool) -> None:
    node, axis = ctx.node, ctx.node.op.axis
    (x,), (out,) = ctx.inputs, ctx.outputs
    ndim, dtype = node.inputs[0].ndim, node.outputs[0].dtype
    cast = dtype_expr(dtype)
    sizes = dims(x, ndim)
    emit_alloc(ctx, out, sizes, dtype)
    with loop_nest(ctx, sizes[:axis] + sizes[axis + 1:]) as row:
        read, write = _row_reader(x, row, axis), _row_reader(out, row, axis)
        m, s = emit_row_shift_and_sum(ctx, read, sizes[axis], dtype, None if log else write)
        j = ctx.fresh("j")
        if log:
            lse = ctx.fresh("lse")
            ctx.emit(f"{lse} = math.log({s})")
            ctx.emit(f"for {j} in range({sizes[axis]}):")
            with ctx.block():
                ctx.emit(f"{write(j)} = {cast}(({read(j)} - {m}) - {lse})")
        else:
            r = ctx.fresh("r")
            ctx.emit(f"{r} = 1.0 / {s} if {s} != 0.0 else math.nan")  # an all -inf row gives nan, as numpy
            ctx.emit(f"for {j} in range({sizes[axis]}):")
            with ctx.block():
                ctx.emit(f"{write(j)} = {cast}({write(j)} * {r})")


@register_codegen(Softmax)
def softmax(ctx: NodeContext) -> None:
    _softmax_rows(ctx, log=False)


@register_codegen(LogSoftmax)
def log_softmax(ctx: NodeContext) -> None:
    _softmax_rows(ctx, log=True)


def _emit_same_shape(ctx: NodeContext, a: str, b: str, ndim: int, a_dim=None) -> None:
    """Raise unless `a` has the shape of `b` (with `b`'s axis `a_dim` left out when given)."""
    b_axes = [k for k in range(ndim) if k != a_dim]
    ctx.check([f"{a}.shape[{ka}] != {b}.shape[{kb}]" for ka, kb in enumerate(b_axes)],
              "the shapes of the operands do not match")


@register_codegen(SoftmaxCrossentropyWithLogits)
def softmax_crossentropy(ctx: NodeContext) -> None:
    """``-sum(target * ((x - shift) - log(sum(exp(x - shift)))))`` per row."""
    node, axis = ctx.node, ctx.node.op.axis
    (t, x), (out,) = ctx.inputs, ctx.outputs
    ndim, dtype = node.inputs[1].ndim, node.outputs[0].dtype
    cast = dtype_expr(dtype)
    _emit_same_shape(ctx, t, x, ndim)
    sizes = dims(x, ndim)
    emit_alloc(ctx, out, sizes[:axis] + sizes[axis + 1:], dtype)
    with loop_nest(ctx, sizes[:axis] + sizes[axis + 1:]) as row:
        read, target = _row_reader(x, row, axis), _row_reader(t, row, axis)
        m, s = emit_row_shift_and_sum(ctx, read, sizes[axis], dtype)
        lse, loss, j = ctx.fresh("lse"), ctx.fresh("loss"), ctx.fresh("j")
        ctx.emit(f"{lse} = math.log({s})")
        ctx.emit(f"{loss} = 0.0")
        ctx.emit(f"for {j} in range({sizes[axis]}):")
        with ctx.block():
            ctx.emit(f"{loss} -= {cast}({target(j)}) * (({cast}({read(j)}) - {m}) - {lse})")
        ctx.emit(f"{index_expr(out, row)} = {cast}({loss})")


@register_codegen(SparseSoftmaxCrossentropyWithLogits)
def sparse_softmax_crossentropy(ctx: NodeContext) -> None:
    """``-((x[label] - shift) - log(sum(exp(x - shift))))`` per row; a label outside ``[0, n)`` raises."""
    node, axis = ctx.node, ctx.node.op.axis
    (labels, x), (out,) = ctx.inputs, ctx.outputs
    ndim, dtype = node.inputs[1].ndim, node.outputs[0].dtype
    cast = dtype_expr(dtype)
    _emit_same_shape(ctx, labels, x, ndim, a_dim=axis)
    sizes = dims(x, ndim)
    emit_alloc(ctx, out, sizes[:axis] + sizes[axis + 1:], dtype)
    with loop_nest(ctx, sizes[:axis] + sizes[axis + 1:]) as row:
        label = ctx.fresh("lab")
        ctx.emit(f"{label} = {index_expr(labels, row)}")
        ctx.check([f"{label} < 0", f"{label} >= {sizes[axis]}"], "a label is outside [0, classes)")
        read = _row_reader(x, row, axis)
        m, s = emit_row_shift_and_sum(ctx, read, sizes[axis], dtype)
        ctx.emit(f"{index_expr(out, row)} = {cast}(math.log({s}) - ({read(label)} - {m}))")
