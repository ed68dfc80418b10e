"""Scan benchmark: ``python -m benchmarks.scan`` prints JSON lines.

An LSTM-shaped scan (Keras' imdb_lstm recurrent layer: batch 32, 80 steps, 128 units,
input 128, float32, gate order i, f, c, o) compiled by the Numba linker:

- the forward pass and the forward + backpropagation-through-time step (gradients of
  the three weights), run time per call;
- compile time (graph building, optimization, code generation and Numba) of the
  training step, cold (empty cache) and warm (disk cache), each in a new process.
"""
from __future__ import annotations

import numpy as np

from benchmarks.common import best_time, cold_and_warm_runs, report
from symkeras import graph as G
from symkeras.ops import elemwise as E
from symkeras.ops.scan import scan

BATCH, STEPS, UNITS, INPUT = 32, 80, 128, 128


def lstm_step(x_t, h, c, kernel, recurrent, bias):
    """One LSTM step in Keras' layout: ``z = x W + h U + b`` split into the i, f, c, o gates."""
    z = x_t @ kernel + h @ recurrent + bias
    i, f = E.sigmoid(z[:, :UNITS]), E.sigmoid(z[:, UNITS:2 * UNITS])
    c_new = f * c + i * E.tanh(z[:, 2 * UNITS:3 * UNITS])
    o = E.sigmoid(z[:, 3 * UNITS:])
    return o * E.tanh(c_new), c_new


def build_lstm():
    """The symbolic sequence input, the LSTM's weights (shared), its outputs and the BPTT gradients of a loss."""
    rng = np.random.default_rng(0)
    weights = [G.shared(rng.uniform(-0.1, 0.1, shape).astype("float32"), name=name)
               for name, shape in (("kernel", (INPUT, 4 * UNITS)), ("recurrent", (UNITS, 4 * UNITS)),
                                   ("bias", (4 * UNITS,)))]
    x = G.tensor("float32", (STEPS, None, INPUT), name="x")
    zeros = E.zeros_like(x[0, :, :UNITS])
    (h, _), _ = scan(lstm_step, sequences=[x], outputs_info=[zeros, zeros], non_sequences=weights)
    loss = (h[-1] ** 2).mean()
    return x, h, loss, G.grad(loss, weights)


def inputs() -> np.ndarray:
    return np.random.default_rng(1).uniform(-1, 1, (STEPS, BATCH, INPUT)).astype("float32")


def bench_step_time() -> None:
    x, h, loss, grads = build_lstm()
    data = inputs()
    forward = G.function([x], h, mode="numba")
    train = G.function([x], [loss] + grads, mode="numba")
    forward(data), train(data)
    fwd, step = best_time(lambda: forward(data)), best_time(lambda: train(data))
    flops = 2 * STEPS * BATCH * (INPUT + UNITS) * 4 * UNITS  # the forward's matrix products
    report("scan_lstm", batch=BATCH, steps=STEPS, units=UNITS, input=INPUT, forward_ms=round(fwd * 1e3, 2),
           forward_and_bptt_ms=round(step * 1e3, 2), forward_gflops=round(flops / fwd / 1e9, 1))


COMPILE_SCRIPT = """
import time
start = time.perf_counter()
import numpy as np
from benchmarks.scan import build_lstm, inputs
from symkeras import graph as G
x, h, loss, grads = build_lstm()
train = G.function([x], [loss] + grads, mode="numba")
built = time.perf_counter()
train(inputs())
done = time.perf_counter()
print(f"{built - start:.3f} {done - built:.3f}")
"""


def bench_compile_time() -> None:
    for label, build, first_call, process in cold_and_warm_runs(COMPILE_SCRIPT):
        report("scan_lstm_compile", cache=label, import_graph_and_optimize_s=build, first_call_s=first_call,
               process_s=round(process, 3))


def main() -> None:
    bench_step_time()
    bench_compile_time()


if __name__ == "__main__":
    main()
