"""Numba code for indexing: `Subtensor`, `AdvancedSubtensor`, `IncSubtensor`, `AdvancedIncSubtensor`.

`Subtensor` is a view, written as a slicing expression ``x[a:b:c, k]``.  The other three
share one scheme: the slices of the index become a view of x (Numba slices with numpy's
clipping rules), and an explicit loop nest runs over the indexed shape, reading int and
array indices per element (numpy's advanced-indexing layout: the broadcast block of the
int/array indices replaces them in place when they are adjacent, else goes first).  The
increments write into a copy of x one element at a time, so repeated indices accumulate
like ``np.add.at``.  Every int and array index is bounds-checked (Numba does not check).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List, Tuple

from symkeras.graph.basic import Variable
from symkeras.graph.linker.numba.codegen import NodeContext, index_expr, register_codegen
from symkeras.graph.linker.numba.shape import (
    broadcast_read,
    check_broadcast,
    emit_alloc,
    int_read,
)
from symkeras.ops.subtensor import (
    ARRAY,
    FULL_SLICE,
    SYMBOLIC,
    AdvancedIncSubtensor,
    AdvancedSubtensor,
    IncSubtensor,
    Subtensor,
)


class _IndexInputs:
    """The op's symbolic index inputs (after x, or after x and y), consumed in ``idx_list`` order."""

    def __init__(self, ctx: NodeContext, first: int):
        self.ctx = ctx
        self.items = list(zip(ctx.node.inputs[first:], ctx.inputs[first:]))

    def next(self) -> Tuple[Variable, str]:
        return self.items.pop(0)

    def bound(self, b) -> str:
        """A slice bound as source text: empty for None, a literal for a prop int, else the scalar input."""
        if b is None:
            return ""
        return int_read(self.ctx, *self.next()) if b == SYMBOLIC else str(b)


def checked_index(ctx: NodeContext, value: str, size: str) -> str:
    """Emit ``k = value`` wrapped for negative values and bounds-checked against `size`; return ``k``."""
    k = ctx.fresh("k")
    ctx.emit(f"{k} = {value}")
    ctx.emit(f"if {k} < 0:")
    with ctx.block():
        ctx.emit(f"{k} += {size}")
    ctx.check([f"{k} < 0", f"{k} >= {size}"], "index out of bounds")
    return k


def int_index(ctx: NodeContext, entry, inputs: _IndexInputs, x: Variable, axis: int, size: str) -> str:
    """An int entry of ``idx_list`` (a prop int or ``"?"``) as a checked non-negative index."""
    static = x.type.shape[axis]
    if entry == SYMBOLIC:
        return checked_index(ctx, int_read(ctx, *inputs.next()), size)
    if static is not None:  # make_node checked it against the static size
        return str(entry % static)
    k = str(entry) if entry >= 0 else ctx.fresh("k")
    if entry < 0:
        ctx.emit(f"{k} = {size} - {-entry}")
    ctx.check([f"{k} < 0" if entry < 0 else f"{k} >= {size}"], "index out of bounds")
    return k


@register_codegen(Subtensor)
def subtensor_view(ctx: NodeContext) -> None:
    x_var, x = ctx.node.inputs[0], ctx.inputs[0]
    out_var, (out,) = ctx.node.outputs[0], ctx.outputs
    inputs = _IndexInputs(ctx, 1)
    parts = []
    for axis, e in enumerate(ctx.node.op.idx_list):
        if isinstance(e, tuple):
            start, stop, step = (inputs.bound(b) for b in e)
            parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        else:
            parts.append(int_index(ctx, e, inputs, x_var, axis, f"{x}.shape[{axis}]"))
    if not parts:
        ctx.emit(f"{out} = {x}")
    elif out_var.ndim == 0:  # an element is a scalar in Numba: box it into a 0-d array
        emit_alloc(ctx, out, [], out_var.dtype)
        ctx.emit(f"{out}[()] = {x}[{', '.join(parts)}]")
    else:
        ctx.emit(f"{out} = {x}[{', '.join(parts)}]")


class _IndexLoop:
    """The indexed part of a tensor as a loop nest: its sizes, and each element's position in x.

    `base` names the array indexed (x, or the copy of x an increment writes into).
    """

    def __init__(self, ctx: NodeContext, base: str, x: Variable, first_index_input: int):
        self.ctx = ctx
        idx_list = ctx.node.op.idx_list
        entries = idx_list + (FULL_SLICE,) * (x.ndim - len(idx_list))
        inputs = _IndexInputs(ctx, first_index_input)
        # the slices become a view (numpy's clipping); int and array axes are kept whole in it.
        # each axis of x: ("slice", None), ("int", index name) or ("array", (var, name))
        parts: List[str] = []
        self.axes: List[Tuple[str, object]] = []
        for axis, e in enumerate(entries):
            if isinstance(e, tuple):
                start, stop, step = (inputs.bound(b) for b in e)
                parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
                self.axes.append(("slice", None))
            else:
                parts.append(":")
                if e == ARRAY:
                    self.axes.append(("array", inputs.next()))
                else:
                    self.axes.append(("int", int_index(ctx, e, inputs, x, axis, f"{base}.shape[{axis}]")))
        self.view = base
        if any(p != ":" for p in parts):
            self.view = ctx.fresh("w")
            ctx.emit(f"{self.view} = {base}[{', '.join(parts)}]")
        self.broadcast_dims = set()  # block dimensions that several index arrays share (one may be 1)
        self.block_ndim = max([var.ndim for kind, (var, _) in self._arrays()] or [0])
        block = [self._block_size(d) for d in range(self.block_ndim)]
        picked = [a for a, (kind, _) in enumerate(self.axes) if kind != "slice"]
        sliced = [("slice", a) for a, (kind, _) in enumerate(self.axes) if kind == "slice"]
        blocks = [("block", d) for d in range(self.block_ndim)]
        if not picked or picked != list(range(picked[0], picked[-1] + 1)):
            self.dims = blocks + sliced  # separated int/array axes: numpy puts the block first
        else:
            self.dims = [s for s in sliced if s[1] < picked[0]] + blocks + [s for s in sliced if s[1] > picked[0]]
        self.sizes = [block[d] if kind == "block" else f"{self.view}.shape[{d}]" for kind, d in self.dims]

    def _arrays(self):
        return [(kind, item) for kind, item in self.axes if kind == "array"]

    def _block_size(self, d: int) -> str:
        """The broadcast size of block dimension `d` over the index arrays (size-1 dimensions broadcast)."""
        ctx = self.ctx
        size = ctx.fresh("b")
        sizes = []
        for _, (var, name) in self._arrays():
            axis = d - (self.block_ndim - var.ndim)
            if axis >= 0 and var.type.shape[axis] != 1:
                sizes.append(f"{name}.shape[{axis}]")
        if len(sizes) > 1:
            self.broadcast_dims.add(d)
        ctx.emit(f"{size} = {sizes[0] if sizes else 1}")
        for n in sizes[1:]:
            ctx.emit(f"if {n} != 1:")
            with ctx.block():
                ctx.emit(f"if {size} != 1 and {size} != {n}:")
                with ctx.block():
                    ctx.emit(ctx.fail("the index arrays do not broadcast together"))
                ctx.emit(f"{size} = {n}")
        return size

    @contextmanager
    def nest(self) -> Iterator[Tuple[List[str], List[str]]]:
        """Open the loop nest; yield its loop variables and the position in x at the current element.

        Each array index is read (and checked) as soon as the loops it depends on are open,
        not per element of the inner loops (an embedding lookup reads each id once per row).
        """
        ctx = self.ctx
        loop_vars = [ctx.fresh("j") for _ in self.sizes]
        block_vars = [j for (kind, _), j in zip(self.dims, loop_vars) if kind == "block"]
        slice_var = {a: j for (kind, a), j in zip(self.dims, loop_vars) if kind == "slice"}
        index = [slice_var.get(axis) if kind == "slice" else item for axis, (kind, item) in enumerate(self.axes)]
        reads = []  # (loop depth it needs, axis, expression of the array element)
        for axis, (kind, item) in enumerate(self.axes):
            if kind != "array":
                continue
            var, name = item
            lead = self.block_ndim - var.ndim
            at, depth = [], 0
            for a, static in enumerate(var.type.shape):
                j = block_vars[lead + a]
                if static != 1:
                    depth = max(depth, loop_vars.index(j) + 1)
                if static is None and lead + a in self.broadcast_dims:
                    j = f"({j} if {name}.shape[{a}] != 1 else 0)"
                at.append("0" if static == 1 else j)
            reads.append((depth, axis, f"int({index_expr(name, at)})"))

        def read_ready(depth: int) -> None:
            for need, axis, expr in reads:
                if need == depth:
                    index[axis] = checked_index(ctx, expr, f"{self.view}.shape[{axis}]")

        read_ready(0)
        for depth, (var, size) in enumerate(zip(loop_vars, self.sizes), 1):
            ctx.emit(f"for {var} in range({size}):")
            ctx.writer.indent += 1
            read_ready(depth)
        try:
            yield loop_vars, index
        finally:
            ctx.writer.indent -= len(loop_vars)


@register_codegen(AdvancedSubtensor)
def advanced_subtensor(ctx: NodeContext) -> None:
    x_var, x = ctx.node.inputs[0], ctx.inputs[0]
    (out,) = ctx.outputs
    loop = _IndexLoop(ctx, x, x_var, 1)
    emit_alloc(ctx, out, loop.sizes, ctx.node.outputs[0].dtype)
    with loop.nest() as (js, source):
        ctx.emit(f"{index_expr(out, js)} = {index_expr(loop.view, source)}")


@register_codegen(IncSubtensor, AdvancedIncSubtensor)
def increment_subtensor(ctx: NodeContext) -> None:
    (x_var, y_var), (x, y) = ctx.node.inputs[:2], ctx.inputs[:2]
    (out,) = ctx.outputs
    ctx.emit(f"{out} = {x}" if ctx.node.op.inplace else f"{out} = {x}.copy()")
    loop = _IndexLoop(ctx, out, x_var, 2)
    check_broadcast(ctx, y_var, y, loop.sizes)
    assign = "=" if ctx.node.op.set_instead_of_inc else "+="
    with loop.nest() as (js, target):
        ctx.emit(f"{index_expr(loop.view, target)} {assign} {broadcast_read(ctx, y_var, y, js)}")
