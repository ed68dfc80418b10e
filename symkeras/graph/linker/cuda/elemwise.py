"""CUDA kernels for `Elemwise` nodes: one grid-stride kernel per node, fused programs inline.

The scalar statements come from the Numba CPU generator (`scalar_body`, `element_reads`),
so a `Composite` means the same on both targets; only the loop differs: each thread
takes flat output positions ``i, i + gridsize, …``.  When every input is a C-contiguous
array of the output's shape the kernel indexes one flat dimension; otherwise it turns
``i`` into one index per dimension and reads each input with its broadcast pattern
(a static 1 reads index 0, as on the CPU).
"""
from __future__ import annotations

import functools
from typing import List, Sequence

import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.registry import register_kernel
from symkeras.graph.linker.cuda.source import assemble, cuda_spelling, grid, load_kernel
from symkeras.graph.linker.numba.codegen import ModuleWriter, NodeContext, index_expr
from symkeras.graph.linker.numba.elemwise import element_reads, scalar_body
from symkeras.ops.elemwise import Elemwise
from symkeras.ops.gradient import StopGradient


def index_lines(out: str, ndim: int, prefix: str = "j") -> List[str]:
    """Statements turning the flat position ``i`` into indices ``j0 … j{ndim-1}`` of array `out`."""
    if ndim <= 1:
        return [f"{prefix}0 = i"] if ndim else []
    lines = ["r_ = i"]
    for axis in range(ndim - 1, 0, -1):
        lines += [f"{prefix}{axis} = r_ % {out}.shape[{axis}]", f"r_ = r_ // {out}.shape[{axis}]"]
    return lines + [f"{prefix}0 = r_"]


def kernel_source(params: Sequence[str], ndim: int, body: Sequence[str], store: str,
                  helpers=None, out: str = "out") -> str:
    """A grid-stride kernel ``kernel(out, *params)`` running `body` then `store` at every output position."""
    lines = [
        "@cuda.jit(cache=True)",
        f"def kernel({', '.join([out, *params])}):",
        "    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):",
    ]
    lines += ["        " + cuda_spelling(line) for line in [*index_lines(out, ndim), *body, store]]
    return assemble(helpers or {}, ["\n".join(lines)])


def _elemwise_source(node: Apply, flat: bool, host: frozenset = frozenset()) -> tuple:
    """(source, indices of the inputs passed to the kernel) for an `Elemwise` node.

    Inputs in `host` are 0-d values on the host: they are passed by value, so a
    hyperparameter computed on the host costs no upload.
    """
    writer = ModuleWriter()
    writer.indent = 0
    params = {}
    for k, var in enumerate(node.inputs):
        writer.names.setdefault(var, f"a{k}")
        params.setdefault(writer.names[var], k)
    ctx = NodeContext(node, writer)
    ctx.fast_float32 = False  # Cephes bit-cast helpers are for CPU vectorization; CUDA has libdevice
    ndim = node.outputs[0].ndim
    loop_vars = [f"j{a}" for a in range(ndim)]
    reads = element_reads(ctx, loop_vars)
    # 0-d arrays travel as one-element views (the simulator cannot store through ``a[()]``)
    reads = [
        lit if (lit := ctx.scalar_literal(v)) else name if params[name] in host else f"{name}[0]" if not v.ndim
        else f"{name}[i]" if flat else read
        for read, v, name in zip(reads, node.inputs, ctx.inputs)
    ]
    expr = scalar_body(ctx, reads)
    passed = [k for name, k in params.items() if ctx.scalar_literal(node.inputs[k]) is None]
    store = f"{'out[i]' if flat or not ndim else index_expr('out', loop_vars)} = {expr}"
    source = kernel_source([f"a{k}" for k in passed], 0 if flat else ndim, writer.lines, store, writer.helpers)
    return source, passed


def output_shape(node: Apply, args: Sequence) -> tuple:
    """The run-time output shape, checked as the types demand (a static 1 broadcasts, the rest match)."""
    out_ndim = node.outputs[0].ndim
    shape = [1] * out_ndim
    for var, arr in zip(node.inputs, args):
        lead = out_ndim - var.ndim
        for axis, static in enumerate(var.type.shape):
            if static != 1 and shape[lead + axis] == 1:
                shape[lead + axis] = arr.shape[axis]
    for var, arr in zip(node.inputs, args):
        lead = out_ndim - var.ndim
        if any(static != 1 and arr.shape[a] != shape[lead + a] for a, static in enumerate(var.type.shape)):
            shapes = ", ".join(str(tuple(a.shape)) for a in args)
            raise ValueError(f"{node.op}: input shapes {shapes} do not match (and their types do not broadcast)")
    return tuple(shape)


def _flattenable(node: Apply, args: Sequence, shape: tuple) -> bool:
    return all(
        tuple(a.shape) == shape and D.is_c_contiguous(a) for v, a in zip(node.inputs, args) if v.ndim
    ) and all(v.ndim == len(shape) or v.ndim == 0 for v in node.inputs)


def flat_view(arr):
    """A C-contiguous device array seen as one dimension (a 0-d array as one element)."""
    if len(arr.shape) == 1:
        return arr
    return D.view(arr, (int(np.prod(arr.shape)),), (np.dtype(arr.dtype).itemsize,))


#: how a runner passes an input to an elemwise kernel: by value, as a flat view, or as it is
BY_VALUE, FLAT, AS_IS = range(3)


def _plan(node: Apply, args: Sequence, kernels: dict) -> tuple:
    """What a call with inputs laid out like `args` launches: (shape, launch, how to pass each input, flat output, in place)."""
    shape = output_shape(node, args)
    host = frozenset(k for k, a in enumerate(args) if isinstance(a, np.ndarray))
    flat = _flattenable(node, args, shape)
    if (flat, host) not in kernels:
        source, passed = _elemwise_source(node, flat, host)
        kernels[flat, host] = (load_kernel(source), passed)
    kernel, passed = kernels[flat, host]
    size = int(np.prod(shape))
    launch = D.launcher(kernel, *grid(size)) if size else None
    ways = [(k, BY_VALUE if k in host else FLAT if flat or not node.inputs[k].ndim else AS_IS) for k in passed]
    inplace = node.op.inplace if node.op.inplace not in host else None
    return shape, launch, ways, flat or not shape, inplace


@register_kernel(Elemwise)
def elemwise_runner(node: Apply):
    kernels, plans = {}, {}
    out_dtype = np.dtype(node.outputs[0].dtype)
    scalar_types = [np.dtype(v.dtype).type for v in node.inputs]

    def run(args: List, pool) -> List:
        # 0-d host values (shapes, hyperparameters) are passed by value; other host arrays are uploaded
        args = [pool.device(a) if isinstance(a, np.ndarray) and a.ndim else a for a in args]
        key = tuple(a.shape if isinstance(a, np.ndarray) else (a.shape, a.strides) for a in args)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _plan(node, args, kernels)
        shape, launch, ways, flat_out, inplace = plan
        out = args[inplace] if inplace is not None else pool.empty(shape, out_dtype)
        if launch is not None:
            params = [scalar_types[k](args[k]) if way == BY_VALUE else pool.flat(args[k]) if way == FLAT else args[k]
                      for k, way in ways]
            launch(pool.flat(out) if flat_out else out, *params)
        return [out]

    run.sources = lambda: [_elemwise_source(node, flat)[0] for flat in (False, True)]
    return run


def copy_source(ndim: int) -> str:
    """A kernel copying a strided `ndim`-d array into a C-contiguous one of the same shape."""
    loop_vars = [f"j{a}" for a in range(ndim)]
    return kernel_source(["src"], ndim, [], f"{index_expr('out', loop_vars)} = {index_expr('src', loop_vars)}")


def contiguous(arr, pool):
    """`arr` itself when C-contiguous, else a C-contiguous device copy taken from `pool`."""
    arr = pool.device(arr)
    if D.is_c_contiguous(arr):
        return arr
    out = pool.empty(arr.shape, arr.dtype)
    copy_into(out, arr)
    return out


def copy_into(out, src) -> None:
    """Copy the (strided, maybe broadcasting) device array `src` into the C-contiguous `out` of its shape."""
    if not out.size:
        return
    if not out.shape:
        out, src = flat_view(out), flat_view(src)
    D.launcher(_copy_kernel(len(out.shape)), *grid(out.size))(out, src)


@functools.lru_cache(maxsize=None)
def _copy_kernel(ndim: int):
    return load_kernel(copy_source(ndim))


@register_kernel(StopGradient)
def identity_runner(node: Apply):
    return lambda args, pool: [args[0]]
