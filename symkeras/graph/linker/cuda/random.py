"""CUDA kernels for the uniform and binomial draws (what Dropout uses): one thread per element.

Element ``i`` is computed from ``(key, i, counter)`` by the reference's own Philox and
uniform functions (pasted as device functions, constants inlined, by the CPU linker's
`helper_sources`), so Bernoulli masks and ``[0, 1)`` uniforms have the CPU's bits exactly
(integer arithmetic and exact conversions); a scaled uniform ``low + (high - low) * u`` is
contracted into an FMA by the CUDA compiler and may differ in its last bit (measured on an H200).  Normal draws need Box-Muller, whose
``a * b + c`` the CUDA compiler would contract into FMAs; they run on the host.
"""
from __future__ import annotations

from typing import List

import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.registry import register_kernel
from symkeras.graph.linker.cuda.source import assemble, grid
from symkeras.graph.linker.numba.cache import load_module
from symkeras.graph.linker.numba.random import _HELPERS, MASK, NEEDS, PREFIX, SHIFT
from symkeras.ops import random as R


def draw_source(op) -> str:
    """The kernel ``draw(state, p0, p1, new_state, out)`` of a uniform (low, high) or binomial (p, unused) op (flat `out`).

    The parameters are passed by value: a host constant such as a dropout rate costs no upload.
    """
    out = f"np.{op.dtype}" if op.dtype != "bool" else "np.bool_"
    block = f"w0, w1, w2, w3 = {PREFIX}philox4x32(lo, hi, c & {MASK}, c >> {SHIFT}, k0, k1)"
    if isinstance(op, R.UniformRV):
        kind = "uniform_f32" if op.dtype == "float32" else "uniform_f64"
        u = f"{PREFIX}uniform01_f32(w0)" if op.dtype == "float32" else f"{PREFIX}uniform01_f64(w0, w1)"
        body = ["c = counter", block, f"out[i] = p0 + (p1 - p0) * {u}"]
    else:
        kind = "uniform_f64"
        store = "count != 0" if op.dtype == "bool" else f"{out}(count)"
        body = ["count = 0", f"for t in range({op.n}):", "    c = counter + np.uint64(t)", f"    {block}",
                f"    if {PREFIX}uniform01_f64(w0, w1) < p0:", "        count += 1", f"out[i] = {store}"]
    lines = [
        "@cuda.jit(cache=True)",
        "def draw(state, p0, p1, new_state, out):",
        "    key = state[0]",
        "    counter = state[1]",
        f"    k0 = key & {MASK}",
        f"    k1 = key >> {SHIFT}",
        "    if cuda.grid(1) == 0:",
        "        new_state[0] = key",
        f"        new_state[1] = counter + np.uint64({op.blocks})",
        "    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):",
        "        ui = np.uint64(i)",
        f"        lo = ui & {MASK}",
        f"        hi = ui >> {SHIFT}",
    ] + ["        " + line for line in body]
    helpers = {PREFIX + name: (_HELPERS[PREFIX + name], True) for name in NEEDS[kind]}
    return assemble(helpers, ["\n".join(lines)])


@register_kernel(R.UniformRV, R.BinomialRV)
def draw_runner(node: Apply):
    op = node.op
    kernel = load_module(draw_source(op)).draw
    scalar = np.dtype(op.dtype if isinstance(op, R.UniformRV) else "float64").type

    def run(args: List, pool) -> List:
        state = pool.device(args[0])
        shape = tuple(int(D.to_host(d)) for d in args[1: 1 + op.ndim])
        if any(d < 0 for d in shape):
            raise ValueError(f"{type(op).__name__}: negative dimension in shape {shape}")
        params = [scalar(D.to_host(p)) for p in args[1 + op.ndim:]]
        new_state = pool.empty((2,), np.uint64)
        size = int(np.prod(shape))
        out = pool.empty((size,), op.dtype)
        D.launcher(kernel, *grid(max(size, 1)))(state, *params, *[scalar(0)] * (2 - len(params)), new_state, out)
        return [new_state, pool.c_view(out, shape)]

    run.sources = lambda: [draw_source(op)]
    return run
