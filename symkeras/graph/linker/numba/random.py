"""Numba code for the random ops: one serial loop per draw, element ``i`` from ``(key, i, counter)``.

The loop calls the generator functions of `symkeras.ops.random` (Philox-4x32-10, the
uniform conversions, Box-Muller with `log_f64` / `cos_2pi`), pasted into the generated
module as helpers by `ctx.helper`; Philox is inlined, so the loop of a uniform or Bernoulli
draw vectorizes.  A helper must be one
module-level function, so `helper_sources` rewrites each function's source: every
generator constant becomes a typed literal (``np.uint64(3528531795)``) and every helper
name gets the ``rng_`` prefix; nothing is read from a module global.

Since the helpers are the reference's own functions and use only IEEE basic operations,
integer arithmetic and exact conversions, a compiled draw has the numpy reference's bits
for every op and dtype, float64 normals included.

Layout per node (see `symkeras.ops.random`): the state input is ``[key, counter]``;
element ``i`` (C order) of attempt/trial ``a`` uses the Philox block
``(lo32(i), hi32(i), lo32(counter + a), hi32(counter + a))`` under ``(lo32(key), hi32(key))``;
the first output is a fresh ``[key, counter + blocks]``.
"""
from __future__ import annotations

import inspect
import io
import tokenize
from typing import Dict, List

import numpy as np

from symkeras.graph.linker.numba.codegen import NodeContext, dtype_expr, index_expr, register_codegen
from symkeras.ops import random as R

#: prefix of the helper names in a generated module (no clash with the scalar ops' helpers)
PREFIX = "rng_"


def _constant_literal(value) -> str:
    if isinstance(value, np.generic):
        return f"np.{type(value).__name__}({value.item()!r})"
    return repr(value)


#: generator functions compiled once per module and called (not inlined) from every draw.
#: Box-Muller is large and costly anyway, so a call costs little; Philox is inlined: called,
#: LLVM does not inline it and a Bernoulli mask runs about 15x slower (measured: 34 ms vs
#: 1.9 ms for 1.2M elements), and inlined it compiles no slower
CALLED = ("std_normal",)

#: the generator functions each kind of draw needs, in dependency order
NEEDS = {
    "uniform_f32": ("philox4x32", "uniform01_f32"),
    "uniform_f64": ("philox4x32", "uniform01_f64"),
    "normal": ("philox4x32", "uniform01_f64", "log_f64", "cos_2pi", "std_normal"),
}


def helper_sources() -> Dict[str, str]:
    """``{prefixed name: source}`` of `R.KERNEL_FUNCTIONS` for `ctx.helper`, constants inlined as literals.

    A helper must be one self-contained module-level function: each generator constant
    becomes a typed literal (``np.uint64(3528531795)``), each generator function name gets
    the ``rng_`` prefix.
    """
    constants = {name: _constant_literal(getattr(R, name)) for name in R.KERNEL_CONSTANTS}
    renames = {fn.__name__: PREFIX + fn.__name__ for fn in R.KERNEL_FUNCTIONS}
    sources = {}
    for fn in R.KERNEL_FUNCTIONS:
        name = renames[fn.__name__]
        tokens = []
        for tok in tokenize.generate_tokens(io.StringIO(inspect.getsource(fn)).readline):
            if tok.type == tokenize.NAME and (tok.string in constants or tok.string in renames):
                text = constants.get(tok.string) or renames[tok.string]
                # keep the token's positions: untokenize then keeps the original spacing
                tok = tok._replace(string=text)
            tokens.append(tok)
        sources[name] = tokenize.untokenize(tokens).rstrip() + "\n"
    return sources


_HELPERS = helper_sources()
MASK = "np.uint64(4294967295)"
SHIFT = "np.uint64(32)"


def _need_helpers(ctx: NodeContext, kind: str) -> None:
    for name in NEEDS[kind]:
        ctx.helper(PREFIX + name, _HELPERS[PREFIX + name], inline=name not in CALLED)


def _scalar(ctx: NodeContext, k: int) -> str:
    """An expression reading the 0-d input number `k` (a literal where it is a constant)."""
    lit = ctx.scalar_literal(ctx.node.inputs[k])
    return lit if lit is not None else index_expr(ctx.inputs[k], [])


def _block(ctx: NodeContext, words: List[str], lo: str, hi: str, counter: str, k0: str, k1: str) -> None:
    """Emit ``w0, w1, w2, w3 = philox(lo, hi, lo32(counter), hi32(counter), k0, k1)``."""
    ctx.emit(f"{', '.join(words)} = {PREFIX}philox4x32({lo}, {hi}, {counter} & {MASK}, {counter} >> {SHIFT}, {k0}, {k1})")


@register_codegen(R.UniformRV, R.NormalRV, R.TruncatedNormalRV, R.BinomialRV)
def random_draw(ctx: NodeContext) -> None:
    op = ctx.node.op
    new_state, result = ctx.outputs
    out_dtype = op.dtype
    if isinstance(op, R.NormalRV):
        _need_helpers(ctx, "normal")
    else:
        _need_helpers(ctx, "uniform_f32" if isinstance(op, R.UniformRV) and out_dtype == "float32" else "uniform_f64")

    # state, dims, params
    state = ctx.inputs[0]
    key, counter = ctx.fresh("key"), ctx.fresh("ctr")
    ctx.emit(f"{key} = {state}[0]")
    ctx.emit(f"{counter} = {state}[1]")
    dims = []
    for k in range(op.ndim):
        d = ctx.fresh("d")
        ctx.emit(f"{d} = np.int64({_scalar(ctx, 1 + k)})")
        dims.append(d)
    ctx.check([f"{d} < 0" for d in dims], "negative dimension in the shape of a random draw")
    param_dtype = out_dtype if isinstance(op, (R.UniformRV, R.NormalRV)) else "float64"
    params = []
    for k in range(len(op.param_names)):
        p = ctx.fresh("p")
        ctx.emit(f"{p} = {dtype_expr(param_dtype)}({_scalar(ctx, 1 + op.ndim + k)})")
        params.append(p)

    # the new state: a fresh array, never the input
    ctx.emit(f"{new_state} = np.empty(2, np.uint64)")
    ctx.emit(f"{new_state}[0] = {key}")
    ctx.emit(f"{new_state}[1] = {counter} + np.uint64({op.blocks})")

    # the sample, computed into a flat buffer in C order
    size = " * ".join(dims) if dims else "1"
    flat = ctx.fresh("flat")
    ctx.emit(f"{flat} = np.empty({size}, {dtype_expr(out_dtype)})")
    k0, k1 = ctx.fresh("k"), ctx.fresh("k")
    ctx.emit(f"{k0} = {key} & {MASK}")
    ctx.emit(f"{k1} = {key} >> {SHIFT}")
    i, ui, lo, hi = ctx.fresh("i"), ctx.fresh("u"), ctx.fresh("lo"), ctx.fresh("hi")
    words = [ctx.fresh("w") for _ in range(4)]
    ctx.emit(f"for {i} in range({flat}.shape[0]):")
    with ctx.block():
        ctx.emit(f"{ui} = np.uint64({i})")
        ctx.emit(f"{lo} = {ui} & {MASK}")
        ctx.emit(f"{hi} = {ui} >> {SHIFT}")
        value = _element(ctx, op, params, words, lo, hi, counter, k0, k1)
        ctx.emit(f"{flat}[{i}] = {value}")
    if dims:
        ctx.emit(f"{result} = {flat}.reshape(({''.join(d + ', ' for d in dims)}))")
    else:
        ctx.emit(f"{result} = np.empty((), {dtype_expr(out_dtype)})")
        ctx.emit(f"{result}[()] = {flat}[0]")


def _element(ctx: NodeContext, op, params, words, lo, hi, counter, k0, k1) -> str:
    """Emit the statements of one element; return the expression of its value (in the output dtype)."""
    out = dtype_expr(op.dtype)
    if isinstance(op, R.UniformRV):
        low, high = params
        _block(ctx, words, lo, hi, counter, k0, k1)
        u = f"{PREFIX}uniform01_f32({words[0]})" if op.dtype == "float32" else f"{PREFIX}uniform01_f64({words[0]}, {words[1]})"
        return f"{low} + ({high} - {low}) * {u}"
    if isinstance(op, R.TruncatedNormalRV):
        mean, std = params
        z, a, c = ctx.fresh("z"), ctx.fresh("a"), ctx.fresh("c")
        bound = repr(float(R.TRUNCATION_BOUND))
        ctx.emit(f"{z} = 0.0")
        ctx.emit(f"for {a} in range({R.TRUNCATION_ATTEMPTS}):")
        with ctx.block():
            ctx.emit(f"{c} = {counter} + np.uint64({a})")
            _block(ctx, words, lo, hi, c, k0, k1)
            ctx.emit(f"{z} = {PREFIX}std_normal({', '.join(words)})")
            ctx.emit(f"if abs({z}) <= {bound}:")
            with ctx.block():
                ctx.emit("break")
        ctx.emit(f"{z} = min(max({z}, -{bound}), {bound})")
        return f"{mean} + {std} * {out}({z})"
    if isinstance(op, R.NormalRV):
        mean, std = params
        _block(ctx, words, lo, hi, counter, k0, k1)
        return f"{mean} + {std} * {out}({PREFIX}std_normal({', '.join(words)}))"
    if isinstance(op, R.BinomialRV):
        (p,) = params
        count, t, c = ctx.fresh("n"), ctx.fresh("t"), ctx.fresh("c")
        ctx.emit(f"{count} = 0")
        ctx.emit(f"for {t} in range({op.n}):")
        with ctx.block():
            ctx.emit(f"{c} = {counter} + np.uint64({t})")
            _block(ctx, words, lo, hi, c, k0, k1)
            ctx.emit(f"if {PREFIX}uniform01_f64({words[0]}, {words[1]}) < {p}:")
            with ctx.block():
                ctx.emit(f"{count} += 1")
        return f"{count} != 0" if op.dtype == "bool" else f"{out}({count})"
    raise NotImplementedError(f"no numba code for {op}")
