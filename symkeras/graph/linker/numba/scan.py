"""Numba code for `Scan`: the whole loop, inner step included, compiled — no Python between steps.

The inner graph (optimized once by the op) is emitted inside ``for t in range(n):`` by
the same code generators as the outer graph (as one kernel of the generated module: the
scan is one node).  Inner variables get fresh names from the module writer, so several
scans (or nested ones) never collide.  A sequence slice is a view ``seq[t]``; a state is
a local rebound to its new value after each step; collected outputs are written into
``(n, ...)`` buffers allocated at step 0, when their shapes are first known (before
that, an empty array of the same type keeps Numba's typing stable).  Constants of the
inner graph are built once, before the loop.  A loop that calls BLAS runs it on one thread
(`single_threaded_blas`).
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from symkeras.graph.basic import Constant, Variable
from symkeras.graph.linker.numba.codegen import (
    NodeContext,
    codegen_for,
    dtype_expr,
    index_expr,
    literal,
    register_codegen,
)
from symkeras.graph.linker.numba.loops import emit_alloc, loop_nest, shape_tuple
from symkeras.ops.scan import Scan


def emit_constant(ctx: NodeContext, const: Constant) -> str:
    """Build an inner-graph constant as a local array (uniform ones with ``np.full``); return its name."""
    name = ctx.fresh("c")
    data = const.data
    shape = shape_tuple(str(d) for d in data.shape)
    flat = data.reshape(-1)
    if flat.size == 0 or np.all(flat == flat[0]):
        ctx.emit(f"{name} = np.full({shape}, {literal(flat[0] if flat.size else 0, const.dtype)})")
    else:
        values = ", ".join(literal(v, const.dtype) for v in flat)
        ctx.emit(f"{name} = np.array([{values}], {dtype_expr(const.dtype)}).reshape({shape})")
    return name


def emit_steps(ctx: NodeContext, seqs: List[str]) -> str:
    """The number of steps, checking that every sequence (and a static ``n_steps``) agrees."""
    op = ctx.node.op
    steps = ctx.fresh("n")
    ctx.emit(f"{steps} = {seqs[0]}.shape[0]" if seqs else f"{steps} = {op.n_steps}")
    checks = [f"{s}.shape[0] != {steps}" for s in seqs[1:]]
    if op.n_steps is not None and seqs:
        checks.append(f"{steps} != {op.n_steps}")
    ctx.check(checks, "the sequences do not agree on the number of steps")
    ctx.check([f"{steps} < 1"], "needs at least one step")
    return steps


def emit_slice(ctx: NodeContext, seq: str, var: Variable, t: str) -> str:
    """The step-t slice of a sequence as an array (a 0-d view for a vector sequence)."""
    name = ctx.fresh("x")
    ctx.emit(f"{name} = {seq}[{t}:{t} + 1].reshape(())" if var.ndim == 0 else f"{name} = {seq}[{t}]")
    return name


def shape_changes(new: str, old: str, ndim: int, offset: int) -> List[str]:
    """The conditions under which ``new.shape`` differs from ``old.shape[offset:]``."""
    return [f"{new}.shape[{k}] != {old}.shape[{k + offset}]" for k in range(ndim)]


def emit_step_end(ctx: NodeContext, states: List[str], new_values: List[str], new_vars: List[Variable],
                  buffers: List[Tuple[str, str, Variable]], steps: str, t: str, at: str) -> None:
    """Allocate the collection buffers at step 0, check (with one raise) that no state or collected
    output changed shape, write the step's collected values into row `at` (its time index), and advance
    the states."""
    if buffers:
        ctx.emit(f"if {t} == 0:")
        with ctx.block():
            for buffer, value, var in buffers:
                emit_alloc(ctx, buffer, [steps] + [f"{value}.shape[{k}]" for k in range(var.ndim)], var.dtype)
    changes = [c for new, state, var in zip(new_values, states, new_vars) for c in shape_changes(new, state, var.ndim, 0)]
    changes += [c for buffer, value, var in buffers for c in shape_changes(value, buffer, var.ndim, 1)]
    ctx.check(changes, "a state or a collected output changed shape between steps")
    for buffer, value, var in buffers:
        with loop_nest(ctx, [f"{value}.shape[{k}]" for k in range(var.ndim)]) as js:
            ctx.emit(f"{index_expr(buffer, [at] + js)} = {index_expr(value, js)}")
    for new, state in zip(new_values, states):
        ctx.emit(f"{state} = {new}")


def single_threaded_blas(ctx: NodeContext, loop_start: int) -> None:
    """Run the BLAS calls of the loop written from line `loop_start` on one thread, restoring the count after.

    Per-step products are small (batch x units x 4 units for an LSTM): OpenBLAS's threads
    gain little on them and lose a lot when another process holds a core (3-4x slower
    steps measured on 2 loaded cores), so the loop owns one core and BLAS keeps one thread.
    """
    writer = ctx.writer
    if not any("gemm(" in line or "np.dot(" in line for line in writer.lines[loop_start:]):
        return
    previous = ctx.fresh("blas_threads")
    writer.lines.insert(loop_start, "    " * writer.indent + f"{previous} = set_blas_threads(1)")
    ctx.emit(f"set_blas_threads({previous})")


@register_codegen(Scan)
def scan_loop(ctx: NodeContext) -> None:
    """Emit the time loop of the scan `ctx.node`: constants, states, then every step's inner graph."""
    op, writer = ctx.node.op, ctx.writer
    inner = op.optimized
    seqs, inits, nonseqs = op.split_inputs(ctx.inputs)
    seq_vars, state_vars, nonseq_vars = op.split_inputs(inner.inputs)
    new_vars, out_vars = op.split_outputs(inner.outputs)
    steps = emit_steps(ctx, seqs)
    for const in (v for v in inner.leaves() if isinstance(v, Constant)):
        writer.names[const] = emit_constant(ctx, const)
    states = []
    for init in inits:
        states.append(ctx.fresh("s"))
        ctx.emit(f"{states[-1]} = {init}")
    state_outs, collected_outs = op.split_outputs(ctx.outputs)
    buffers = [(name, var) for name, var, keep in zip(state_outs, new_vars, op.collect) if keep]
    buffers += list(zip(collected_outs, out_vars))
    for name, var in buffers:  # typed placeholders, replaced at step 0
        emit_alloc(ctx, name, ["0"] * (var.ndim + 1), var.dtype)
    t = ctx.fresh("t")
    loop_start = len(writer.lines)
    ctx.emit(f"for {t} in range({steps}):")
    with ctx.block():
        at = t  # the time index of step t
        if op.backwards:
            at = ctx.fresh("r")
            ctx.emit(f"{at} = {steps} - 1 - {t}")
        for seq, var in zip(seqs, seq_vars):
            writer.names[var] = emit_slice(ctx, seq, var, at)
        writer.names.update(zip(state_vars, states))
        writer.names.update(zip(nonseq_vars, nonseqs))
        for node in inner.toposort():
            writer.emit(f"# {node.op}")
            codegen_for(node)(NodeContext(node, writer))
        emit_step_end(ctx, states, [writer.names[v] for v in new_vars], new_vars,
                      [(name, writer.names[var], var) for name, var in buffers], steps, t, at)
    single_threaded_blas(ctx, loop_start)
    for name, state, keep in zip(state_outs, states, op.collect):
        if not keep:  # a copy: the last value may alias an input the outer graph could overwrite
            ctx.emit(f"{name} = {state}.copy()")
