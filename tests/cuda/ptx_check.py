"""Compile every kind of generated kernel to PTX for an H100/H200 (cc 9.0) without a GPU.

Run as ``NUMBA_ENABLE_CUDASIM=0 python -m tests.cuda.ptx_check``; exits 3 where NVVM is
missing (install ``numba-cuda[cu13]``), 1 naming the first kernel that does not compile.
"""
import sys

from numba import cuda, types

from symkeras import graph as G
from symkeras.graph.linker.cuda import blas, nnet, random, reduction
from symkeras.graph.linker.cuda.elemwise import _elemwise_source, copy_source
from symkeras.graph.linker.numba.cache import load_module
from symkeras.ops import random as R


def arr(dtype: str, ndim: int, layout: str = "A"):
    return types.Array(getattr(types, dtype), ndim, layout)


def elemwise_cases():
    x, v = G.matrix("x"), G.vector("v")
    t = G.tensor("int64", (None, None), name="t")
    out = G.ops.tanh(x * v) ** 2 + G.ops.floor(x) + G.ops.round(x) + G.ops.sigmoid(x) + G.ops.softplus(x)
    out = G.ops.switch(x > 0, G.ops.log1p(G.ops.abs(x)), G.ops.relu(out, alpha=0.1)) + G.ops.cast(t // 3 + t % 3, "float32")
    f = G.function([x, v, t], out, mode="py")
    for node in f.fgraph.toposort():
        if type(node.op).__name__ == "Elemwise":
            for flat in (False, True):
                source, passed = _elemwise_source(node, flat)
                nd = 1 if flat else node.outputs[0].ndim
                sig = [arr(node.outputs[0].dtype, nd)] + [
                    arr(node.inputs[k].dtype, 1 if flat or not node.inputs[k].ndim else node.inputs[k].ndim) for k in passed
                ]
                yield f"{node.op} flat={flat}", load_module(source).kernel, sig


def library_cases():
    for dtype in ("float32", "float64"):
        k = load_module(blas.gemm_source(dtype))
        yield f"gemm {dtype}", k.gemm, [arr(dtype, 2)] * 3
        yield f"gemm_bias {dtype}", k.gemm_bias, [arr(dtype, 2)] * 2 + [arr(dtype, 1), arr(dtype, 2)]
        yield f"gemm_scaled {dtype}", k.gemm_scaled, [arr(dtype, 2)] * 3 + [arr(dtype, 1)] * 2 + [arr(dtype, 2)]
        k = load_module(nnet.rows_source(dtype))
        yield f"softmax {dtype}", k.softmax, [arr(dtype, 2)] * 2
        yield f"log_softmax {dtype}", k.log_softmax, [arr(dtype, 2)] * 2
        yield f"crossentropy {dtype}", k.crossentropy, [arr(dtype, 2)] * 2 + [arr(dtype, 1)]
        yield f"sparse {dtype}", k.sparse_crossentropy, [arr("int64", 1), arr(dtype, 2), arr(dtype, 1), arr("boolean", 1)]
    for kind in ("sum", "max", "prod", "min"):
        for dtype in ("float32", "int64"):
            k = load_module(reduction.reduce_source(kind, dtype))
            yield f"rows {kind} {dtype}", k.rows, [arr(dtype, 2), arr(dtype, 2)]
            yield f"columns {kind} {dtype}", k.columns, [arr(dtype, 3), arr(dtype, 3)]
    yield "copy 3-d", load_module(copy_source(3)).kernel, [arr("float32", 3, "C"), arr("float32", 3)]
    for op, pdt in ((R.UniformRV("float32", 2), "float32"), (R.UniformRV("float64", 1), "float64"),
                    (R.BinomialRV("float32", 2, 1), "float64"), (R.BinomialRV("bool", 1, 3), "float64")):
        yield f"draw {op}", load_module(random.draw_source(op)).draw, [arr("uint64", 1), getattr(types, pdt), getattr(types, pdt),
                                                                        arr("uint64", 1), arr(op.dtype if op.dtype != "bool" else "boolean", 1)]


def main() -> int:
    if not hasattr(cuda, "compile_ptx"):
        return 3
    count, needs_driver = 0, []
    for name, kernel, sig in list(elemwise_cases()) + list(library_cases()):
        try:
            cuda.compile_ptx(kernel.py_func, tuple(sig), cc=(9, 0))
        except Exception as exc:  # noqa: BLE001  (report which kernel, then fail)
            if "NVVM" in str(exc) or "libnvvm" in str(exc).lower():
                return 3
            if "driver" in str(exc):  # numba-cuda asks the driver when a kernel calls a device function
                needs_driver.append(name)
                continue
            print(f"{name}: {type(exc).__name__}: {str(exc)[:2000]}")
            return 1
        count += 1
    print(f"{count} kernels compiled to PTX for cc 9.0; {len(needs_driver)} call device functions and need a driver")
    return 0


if __name__ == "__main__":
    sys.exit(main())
