"""Loop-nest and allocation helpers that every code generator shares."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List, Sequence

from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr


@contextmanager
def loop_nest(ctx: NodeContext, sizes: Sequence[str], prefix: str = "j") -> Iterator[List[str]]:
    """Emit ``for`` loops over `sizes` (outermost first); the body is emitted inside the ``with``."""
    names = [ctx.fresh(prefix) for _ in sizes]
    for name, size in zip(names, sizes):
        ctx.emit(f"for {name} in range({size}):")
        ctx.writer.indent += 1
    try:
        yield names
    finally:
        ctx.writer.indent -= len(names)


def shape_tuple(sizes: Sequence[str]) -> str:
    """A tuple expression of `sizes`: ``(a, b, )`` or ``()``."""
    return "(" + "".join(f"{s}, " for s in sizes) + ")"


def dims(name: str, ndim: int) -> List[str]:
    """The run-time sizes of array `name`: ``name.shape[k]``."""
    return [f"{name}.shape[{k}]" for k in range(ndim)]


def emit_alloc(ctx: NodeContext, name: str, sizes: Sequence[str], dtype: str, fill: str = "empty") -> None:
    """``name = np.empty(shape, dtype)`` (or ``zeros``/``ones``); a 0-d array when `sizes` is empty."""
    ctx.emit(f"{name} = np.{fill}({shape_tuple(sizes)}, {dtype_expr(dtype)})")
