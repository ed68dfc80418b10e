"""Numba code for `Dot`, `DotBias`, `Gemm`, `Matmul` and `Tensordot`: BLAS for floats, loops otherwise.

A float matrix product calls `cblas.gemm` on its operands as they are — a transposed
view goes to BLAS with a transpose flag instead of being copied — and writes into a
freshly allocated output, or accumulates into one (``beta``) where the graph asks.
Vector products use ``np.dot`` on contiguous operands.  Integer and boolean products
(which BLAS does not do) are an explicit i-k-j loop.  A batched `Matmul` is a loop over
the broadcast batch dimensions with one product per matrix; a `Tensordot` copies its
operands into ``(free, contracted)`` matrices and makes one product.
"""
from __future__ import annotations

from typing import List, Sequence


from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr, index_expr, register_codegen
from symkeras.graph.linker.numba.loops import dims, emit_alloc, loop_nest, shape_tuple
from symkeras.ops.blas import Dot, Matmul, Tensordot
from symkeras.ops.gemm import DotBias, Gemm


def uses_blas(dtype: str) -> bool:
    return dtype in ("float32", "float64")


def emit_operand(ctx: NodeContext, name: str, var, dtype: str, perm: Sequence[int] = None) -> str:
    """An array of `dtype` holding `name` with axes in order `perm`: `name` itself when nothing changes, else a copy."""
    ndim = var.ndim
    perm = list(range(ndim)) if perm is None else list(perm)
    if var.dtype == dtype and perm == list(range(ndim)):
        return name
    result = ctx.fresh("m")
    sizes = dims(name, ndim)
    emit_alloc(ctx, result, [sizes[p] for p in perm], dtype)
    with loop_nest(ctx, [sizes[p] for p in perm]) as idx:
        src = [None] * ndim
        for position, axis in enumerate(perm):
            src[axis] = idx[position]
        ctx.emit(f"{index_expr(result, idx)} = {dtype_expr(dtype)}({index_expr(name, src)})")
    return result


def emit_product(ctx: NodeContext, a: str, a_prefix: List[str], a_nd: int, b: str, b_prefix: List[str], b_nd: int,
                 out: str, out_prefix: List[str], dtype: str) -> None:
    """``out[out_prefix] = a[a_prefix] . b[b_prefix]`` for 1-D/2-D blocks; `out` must be C-contiguous.

    Float matrices call `gemm` on the blocks as they are, float vectors ``np.dot`` on
    contiguous copies; other dtypes loop (`out` must then start zeroed).
    """
    if uses_blas(dtype):
        lhs, rhs = (f"{x}[{', '.join(prefix)}]" if prefix else x for x, prefix in ((a, a_prefix), (b, b_prefix)))
        target = f"{out}[{', '.join(out_prefix)}]" if out_prefix else out
        if a_nd == 2 and b_nd == 2:
            emit_gemm(ctx, "1.0", lhs, rhs, "0.0", target, dtype)
        elif a_nd == 1 and b_nd == 1:
            ctx.emit(f"{index_expr(out, out_prefix)} = np.dot(np.ascontiguousarray({lhs}), np.ascontiguousarray({rhs}))")
        else:
            ctx.emit(f"np.dot(np.ascontiguousarray({lhs}), np.ascontiguousarray({rhs}), {target})")
        return
    i, k, j = ctx.fresh("i"), ctx.fresh("k"), ctx.fresh("j")
    a_idx = a_prefix + ([i, k] if a_nd == 2 else [k])
    b_idx = b_prefix + ([k, j] if b_nd == 2 else [k])
    o_idx = out_prefix + ([i] if a_nd == 2 else []) + ([j] if b_nd == 2 else [])
    cast = dtype_expr(dtype)
    inner = a_nd + len(a_prefix) - 1
    if a_nd == 2:
        ctx.emit(f"for {i} in range({a}.shape[{inner - 1}]):")
        ctx.writer.indent += 1
    ctx.emit(f"for {k} in range({a}.shape[{inner}]):")
    ctx.writer.indent += 1
    aik = ctx.fresh("w")
    ctx.emit(f"{aik} = {cast}({index_expr(a, a_idx)})")
    if b_nd == 2:
        ctx.emit(f"for {j} in range({b}.shape[{len(b_prefix) + 1}]):")
        ctx.writer.indent += 1
    here = index_expr(out, o_idx)
    if dtype == "bool":
        ctx.emit(f"{here} = {here} or ({aik} and {index_expr(b, b_idx)})")
    else:
        ctx.emit(f"{here} += {aik} * {cast}({index_expr(b, b_idx)})")
    ctx.writer.indent -= (a_nd == 2) + 1 + (b_nd == 2)


def emit_gemm(ctx: NodeContext, alpha: str, a: str, b: str, beta: str, out: str, dtype: str) -> None:
    """``out = alpha * a @ b + beta * out`` by BLAS, in place (`cblas.gemm` on `dtype` matrices)."""
    ctx.runtime_function("symkeras.graph.linker.numba.cblas", "gemm", f"require_gemm({dtype!r})")
    ctx.emit(f"gemm({alpha}, {a}, {b}, {beta}, {out})")


@register_codegen(Dot)
def dot(ctx: NodeContext) -> None:
    node = ctx.node
    (a, b), (out,) = ctx.inputs, ctx.outputs
    avar, bvar = node.inputs
    dtype = node.outputs[0].dtype
    ctx.check([f"{a}.shape[{avar.ndim - 1}] != {b}.shape[0]"], "shapes are not aligned")
    sizes = dims(a, avar.ndim)[:-1] + dims(b, bvar.ndim)[1:]
    emit_alloc(ctx, out, sizes, dtype, "empty" if uses_blas(dtype) else "zeros")
    am, bm = emit_operand(ctx, a, avar, dtype), emit_operand(ctx, b, bvar, dtype)
    emit_product(ctx, am, [], avar.ndim, bm, [], bvar.ndim, out, [], dtype)


@register_codegen(DotBias)
def dot_bias(ctx: NodeContext) -> None:
    """The bias copied into every row of a fresh buffer, then ``x @ w`` accumulated onto it (BLAS with beta 1)."""
    node = ctx.node
    (x, w, b), (out,) = ctx.inputs, ctx.outputs
    dtype = node.outputs[0].dtype
    ctx.check([f"{x}.shape[1] != {w}.shape[0]", f"{w}.shape[1] != {b}.shape[0]"],
              "shapes are not aligned (or the bias does not fit the product)")
    emit_alloc(ctx, out, [f"{x}.shape[0]", f"{w}.shape[1]"], dtype)
    with loop_nest(ctx, [f"{out}.shape[0]", f"{out}.shape[1]"]) as (i, j):
        ctx.emit(f"{out}[{i}, {j}] = {b}[{j}]")
    emit_gemm(ctx, "1.0", x, w, "1.0", out, dtype)


@register_codegen(Gemm)
def gemm_update(ctx: NodeContext) -> None:
    """``beta * z + alpha * x @ y`` by one BLAS call: into `z` itself when in place, else into a copy of it."""
    (z, alpha, x, y, beta), (out,) = ctx.inputs, ctx.outputs
    if ctx.node.op.inplace:
        ctx.emit(f"{out} = {z}")
    else:
        ctx.emit(f"{out} = {z}.copy()")
    emit_gemm(ctx, f"{alpha}[()]", x, y, f"{beta}[()]", out, ctx.node.outputs[0].dtype)


@register_codegen(Matmul)
def matmul(ctx: NodeContext) -> None:
    """A loop over the broadcast batch dimensions (a static 1 broadcasts) with one product per matrix."""
    node = ctx.node
    (a, b), (out,) = ctx.inputs, ctx.outputs
    avar, bvar = node.inputs
    ovar = node.outputs[0]
    dtype, nbatch = ovar.dtype, ovar.ndim - 2
    ctx.check([f"{a}.shape[{avar.ndim - 1}] != {b}.shape[{bvar.ndim - 2}]"], "shapes are not aligned")
    batch = []
    for axis in range(nbatch):
        size = "1"
        for name, var in ((a, avar), (b, bvar)):
            k = axis - (nbatch - (var.ndim - 2))
            if k >= 0 and var.type.shape[k] != 1:
                size = f"{name}.shape[{k}]"
                break
        batch.append(size)
    mismatches = []
    for name, var in ((a, avar), (b, bvar)):
        lead = nbatch - (var.ndim - 2)
        for k in range(var.ndim - 2):
            if var.type.shape[k] != 1 and batch[lead + k] != f"{name}.shape[{k}]":
                mismatches.append(f"{name}.shape[{k}] != {batch[lead + k]}")
    ctx.check(mismatches, "batch dimensions do not match")
    sizes = batch + [f"{a}.shape[{avar.ndim - 2}]", f"{b}.shape[{bvar.ndim - 1}]"]
    emit_alloc(ctx, out, sizes, dtype, "empty" if uses_blas(dtype) else "zeros")
    operands = []
    for name, var in ((a, avar), (b, bvar)):
        operands.append(emit_operand(ctx, name, var, dtype))
    with loop_nest(ctx, batch) as idx:
        prefixes = []
        for var in (avar, bvar):
            lead = nbatch - (var.ndim - 2)
            prefixes.append(["0" if var.type.shape[k] == 1 else idx[lead + k] for k in range(var.ndim - 2)])
        emit_product(ctx, operands[0], prefixes[0], 2, operands[1], prefixes[1], 2, out, idx, dtype)


def _product_of(sizes: Sequence[str]) -> str:
    return " * ".join(sizes) if sizes else "1"


@register_codegen(Tensordot)
def tensordot(ctx: NodeContext) -> None:
    """Operands copied into ``(free, contracted)`` and ``(contracted, free)`` matrices, one product."""
    node, op = ctx.node, ctx.node.op
    (a, b), (out,) = ctx.inputs, ctx.outputs
    avar, bvar = node.inputs
    dtype = node.outputs[0].dtype
    free_a, free_b = op._free(avar.ndim, op.axes_a), op._free(bvar.ndim, op.axes_b)
    ctx.check([f"{a}.shape[{i}] != {b}.shape[{j}]" for i, j in zip(op.axes_a, op.axes_b)], "shapes are not aligned")
    a_sizes, b_sizes = dims(a, avar.ndim), dims(b, bvar.ndim)
    m = _product_of([a_sizes[i] for i in free_a])
    k = _product_of([a_sizes[i] for i in op.axes_a])
    n = _product_of([b_sizes[i] for i in free_b])
    am = emit_operand(ctx, a, avar, dtype, free_a + list(op.axes_a))
    bm = emit_operand(ctx, b, bvar, dtype, list(op.axes_b) + free_b)
    flat = ctx.fresh("m")
    emit_alloc(ctx, flat, [m, n], dtype, "empty" if uses_blas(dtype) else "zeros")
    a2, b2 = ctx.fresh("m"), ctx.fresh("m")
    ctx.emit(f"{a2} = np.ascontiguousarray({am}).reshape(({m}, {k}))")
    ctx.emit(f"{b2} = np.ascontiguousarray({bm}).reshape(({k}, {n}))")
    emit_product(ctx, a2, [], 2, b2, [], 2, flat, [], dtype)
    out_sizes = [a_sizes[i] for i in free_a] + [b_sizes[i] for i in free_b]
    if out_sizes:
        ctx.emit(f"{out} = {flat}.reshape({shape_tuple(out_sizes)})")
    else:
        emit_alloc(ctx, out, [], dtype)
        ctx.emit(f"{out}[()] = {flat}[0, 0]")
