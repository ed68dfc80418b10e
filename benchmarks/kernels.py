"""Kernel benchmarks of the Numba linker: ``python -m benchmarks.kernels`` prints JSON lines.

- two fused elementwise chains over 10M float32 (GB/s) against numpy's unfused chains;
- a full and a row reduction against numpy;
- gemm (128x784 @ 784x512 and 1024^3) in GFLOP/s against numpy's GEMM measured in the same run;
- compile latency of a 20-op fused kernel, cold (empty cache) and warm (disk cache), each in a new process;
- the time ``import symkeras`` takes in a new process.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

from benchmarks.common import best_time, cold_and_warm_runs, numpy_gemm_gflops, report
from symkeras import graph as G
from symkeras.ops import elemwise as E

N = 10_000_000


def arithmetic_chain(x, ops=E):
    """Ten arithmetic elementwise ops (the shape of an optimizer update); `ops` is symkeras's or numpy."""
    m = x * 0.9 + 0.1
    v = m * m * 0.999 + 0.001
    return ops.maximum(x - m / (ops.sqrt(v) + 1e-7), 0.0) * 0.5


def transcendental_chain(x, ops=E):
    """Ten elementwise ops, three of them transcendental (tanh, exp, sqrt)."""
    y = ops.tanh(x) * 0.5 + 0.25
    y = ops.exp(-(y * y)) * 1.5 - 0.5
    return ops.maximum(y, 0.0) + ops.sqrt(ops.abs(x))


def bench_fused_chains() -> None:
    data = np.random.default_rng(0).random(N, dtype=np.float32)
    for name, chain in (("arithmetic", arithmetic_chain), ("transcendental", transcendental_chain)):
        x = G.vector("x")
        f = G.function([x], chain(x), mode="numba")
        f(data)
        fused = best_time(lambda: f(data))
        unfused = best_time(lambda: chain(data, np))
        gb = 2 * data.nbytes / 1e9  # one read, one write
        report(f"fused_elementwise_{name}_10ops", n=N, fused_gbps=round(gb / fused, 2),
               numpy_unfused_gbps=round(gb / unfused, 2), speedup_vs_numpy=round(unfused / fused, 2))


def bench_reductions() -> None:
    x = G.matrix("x")
    f = G.function([x], [x.sum(), x.sum(axis=1)], mode="numba")
    data = np.random.default_rng(0).random((N // 1000, 1000), dtype=np.float32)
    f(data)
    ours = best_time(lambda: f(data))
    ref = best_time(lambda: (data.sum(), data.sum(axis=1)))
    report("reductions_sum_all_and_rows", n=N, symkeras_gbps=round(2 * data.nbytes / 1e9 / ours, 2),
           numpy_gbps=round(2 * data.nbytes / 1e9 / ref, 2), ratio_vs_numpy=round(ref / ours, 2))


def bench_gemm(peak: float) -> None:
    rng = np.random.default_rng(0)
    for m, k, n in ((128, 784, 512), (1024, 1024, 1024)):
        a, b = G.matrix("a"), G.matrix("b")
        f = G.function([a, b], G.ops.dot(a, b), mode="numba")
        av, bv = rng.random((m, k), dtype=np.float32), rng.random((k, n), dtype=np.float32)
        f(av, bv)
        ours = 2 * m * k * n / best_time(lambda: f(av, bv)) / 1e9
        ref = 2 * m * k * n / best_time(lambda: av @ bv) / 1e9
        report("gemm", shape=f"{m}x{k}@{k}x{n}", symkeras_gflops=round(ours, 1), numpy_gflops=round(ref, 1),
               numpy_peak_gflops=round(peak, 1), ratio_vs_numpy=round(ours / ref, 3))


COMPILE_SCRIPT = textwrap.dedent("""
    import time
    start = time.perf_counter()
    import numpy as np
    from symkeras import graph as G
    from symkeras.ops import elemwise as E
    x = G.matrix("x")
    y = x
    for k in range(5):
        y = E.tanh(y) * 0.9 + 0.1
        y = E.exp(-E.square(y)) - 0.05 * k
    f = G.function([x], y, mode="numba")
    built = time.perf_counter()
    f(np.ones((2, 2), "float32"))
    done = time.perf_counter()
    print(f"{built - start:.3f} {done - built:.3f}")
""")


def bench_compile_latency() -> None:
    for label, build, first_call, _ in cold_and_warm_runs(COMPILE_SCRIPT):
        report("compile_20op_fused_kernel", cache=label, import_and_graph_s=build, first_call_s=first_call)


def bench_import() -> None:
    code = "import time; t = time.perf_counter(); import symkeras; print(time.perf_counter() - t)"
    seconds = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
                  for _ in range(3))
    report("import_symkeras", seconds=round(seconds, 3))


def main() -> None:
    bench_import()
    peak = numpy_gemm_gflops()
    report("numpy_gemm_peak", n=1024, gflops=round(peak, 1))
    bench_fused_chains()
    bench_reductions()
    bench_gemm(peak)
    bench_compile_latency()


if __name__ == "__main__":
    main()
