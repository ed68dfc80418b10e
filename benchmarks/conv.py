"""Convolution and pooling kernel benchmarks: ``python -m benchmarks.conv`` prints JSON lines.

- 2-D convolution forward, input gradient and kernel gradient on the Keras mnist_cnn shapes
  (batch 128: 28x28x1 -> 32 3x3, then 26x26x32 -> 64 3x3), in GFLOP/s and as a share of
  the numpy GEMM peak measured in the same run;
- 2x2 max pooling of the second convolution's output (24x24x64 -> 12x12x64) and its gradient,
  in GB/s of input read.
"""
from __future__ import annotations

import numpy as np

from benchmarks.common import best_time, numpy_gemm_gflops, report
from symkeras import graph as G
from symkeras.ops import conv as C
from symkeras.ops import pool as P

BATCH = 128
LAYERS = [("conv1_28x28x1_32", (28, 28, 1), 32), ("conv2_26x26x32_64", (26, 26, 32), 64)]


def bench_conv(peak: float) -> None:
    rng = np.random.default_rng(0)
    for name, (h, w, c), filters in LAYERS:
        x = G.tensor("float32", (None, h, w, c), name="x")
        k = G.tensor("float32", (3, 3, c, filters), name="k")
        y = C.conv(x, k)
        gz = G.tensor("float32", y.type.shape, name="gz")
        spatial = np.array([h, w], "int64")
        programs = {
            "forward": ([x, k], y),
            "grad_input": ([gz, k], C.ConvGradInput(2)(gz, k, spatial)),
            "grad_kernel": ([x, gz], C.ConvGradKernel(2)(x, gz, np.array([3, 3], "int64"))),
        }
        values = {x: rng.random((BATCH, h, w, c), dtype=np.float32), k: rng.random((3, 3, c, filters), dtype=np.float32),
                  gz: rng.random((BATCH, h - 2, w - 2, filters), dtype=np.float32)}
        flops = 2 * BATCH * (h - 2) * (w - 2) * 9 * c * filters
        for what, (inputs, out) in programs.items():
            f = G.function(inputs, out, mode="numba")
            args = [values[v] for v in inputs]
            gflops = flops / best_time(lambda: f(*args)) / 1e9
            report(f"conv2d_{what}", layer=name, batch=BATCH, gflops=round(gflops, 1),
                   numpy_peak_gflops=round(peak, 1), share_of_peak=round(gflops / peak, 3))


def bench_maxpool() -> None:
    x = G.tensor("float32", (None, 24, 24, 64), name="x")
    y = P.pool(x, 2)
    f = G.function([x], y, mode="numba")
    g = G.function([x], G.grad(y.sum(), x), mode="numba")
    data = np.random.default_rng(0).random((BATCH, 24, 24, 64), dtype=np.float32)
    for what, fn in (("forward", f), ("grad", g)):
        seconds = best_time(lambda: fn(data))
        report(f"maxpool2d_2x2_{what}", shape="128x24x24x64", gbps=round(data.nbytes / seconds / 1e9, 2),
               samples_per_s=round(BATCH / seconds))


def main() -> None:
    peak = numpy_gemm_gflops()
    report("numpy_gemm_peak", gflops=round(peak, 1))
    bench_conv(peak)
    bench_maxpool()


if __name__ == "__main__":
    main()
