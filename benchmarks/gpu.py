"""GPU figures of the CUDA linker (mode "cuda"), each next to a reference measured in the same run.

* ``elementwise``: a fused elementwise kernel's bandwidth against a device-to-device copy;
* ``gemm``: our float32 GEMM at 4096² in GFLOP/s against ``torch.matmul`` (TF32 off) and the
  H200's fp32 peak (about 67 TFLOP/s);
* ``w1_step``: the W1 MLP (784-512-512-10, SGD momentum) through ``train_on_batch`` at batch
  128 and 1024, samples/s against the same model in PyTorch on the GPU, the first call's
  time (kernel compilation included), the host overhead (wall time of a call per graph node,
  in microseconds: what one Python launch costs) and what one steady call asks of the device
  (allocations, copies each way, kernel launches).
Run ``python -m benchmarks.gpu`` on a GPU machine (scripts/gpu_check.sh does);
``--tiny`` runs every workload at toy sizes (under the simulator too) to check the script.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from benchmarks.common import best_time, report
from symkeras import graph as G
from symkeras.graph.linker.cuda import device as D

H200_FP32_PEAK_GFLOPS = 67_000.0
LAYERS = (784, 512, 512, 10)
TINY_LAYERS = (8, 6, 6, 3)


def _node_runner(f, op_name: str):
    """Run the first node of `f` whose op class is `op_name` alone: ``run(args)``, its buffers reused between runs."""
    pool = f.thunk.pool
    for node, run in zip(f.fgraph.toposort(), f.thunk.runners):
        if type(node.op).__name__ == op_name:
            def run_alone(args):
                pool.begin()
                run(args, pool)
                pool.end([])

            return run_alone
    raise LookupError(op_name)


def _device_time(fn, repeats: int) -> float:
    def synced():
        fn()
        D.synchronize()

    return best_time(synced, repeats=repeats)


def bench_elementwise(n: int, repeats: int) -> None:
    x = G.vector("x")
    f = G.function([x], G.ops.tanh(x * 1.5 + 0.5) * G.ops.sigmoid(x), mode="cuda")
    run = _node_runner(f, "Elemwise")
    src = D.to_device(np.random.default_rng(0).random(n, dtype=np.float32))
    dst = D.empty((n,), "float32")
    fused = _device_time(lambda: run([src]), repeats)
    copy = _device_time(lambda: dst.copy_to_device(src), repeats)
    moved = 2 * 4 * n / 1e9
    report("gpu_elementwise_fused", elements=n, fused_gbps=round(moved / fused, 1), copy_gbps=round(moved / copy, 1),
           ratio_to_copy=round(copy / fused, 3))


def bench_gemm(n: int, repeats: int) -> None:
    a, b = G.matrix("a"), G.matrix("b")
    f = G.function([a, b], a @ b, mode="cuda")
    run = _node_runner(f, "Dot")
    rng = np.random.default_rng(0)
    ha, hb = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    da, db = D.to_device(ha), D.to_device(hb)
    ours = 2 * n ** 3 / _device_time(lambda: run([da, db]), repeats) / 1e9
    fields = {"n": n, "ours_gflops": round(ours, 1), "share_of_h200_fp32_peak": round(ours / H200_FP32_PEAK_GFLOPS, 4)}
    torch = _torch_cuda()
    if torch is not None:
        torch.backends.cuda.matmul.allow_tf32 = False
        ta, tb = torch.from_numpy(ha).cuda(), torch.from_numpy(hb).cuda()
        theirs = 2 * n ** 3 / best_time(lambda: (torch.matmul(ta, tb), torch.cuda.synchronize()), repeats=repeats) / 1e9
        fields.update(torch_gflops=round(theirs, 1), ratio_to_torch=round(ours / theirs, 3), tf32=False)
    report("gpu_gemm_fp32", **fields)


def _torch_cuda():
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def _batches(batch: int, steps: int, layers):
    rng = np.random.default_rng(0)
    x = rng.random((batch * steps, layers[0]), dtype=np.float32)
    y = np.eye(layers[-1], dtype=np.float32)[rng.integers(0, layers[-1], batch * steps)]
    return [(x[k * batch:(k + 1) * batch], y[k * batch:(k + 1) * batch]) for k in range(steps)]


def bench_w1_step(batch: int, steps: int, layers=LAYERS) -> None:
    import symkeras as keras
    from symkeras.graph import config

    config.default_mode = "cuda"
    model = keras.models.Sequential([
        keras.layers.Dense(layers[1], activation="relu", input_shape=(layers[0],)),
        keras.layers.Dense(layers[2], activation="relu"),
        keras.layers.Dense(layers[3], activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(lr=0.01, momentum=0.9))
    data = _batches(batch, steps, layers)
    start = time.perf_counter()
    model.train_on_batch(*data[0])
    first = time.perf_counter() - start

    def epoch():
        for x, y in data:
            model.train_on_batch(x, y)

    seconds = best_time(epoch, repeats=3)
    D.reset_counts()
    model.train_on_batch(*data[0])
    per_call = D.reset_counts()
    nodes = len(model.train_function.function.fgraph.apply_nodes)
    fields = {"batch": batch, "ours_samples_per_s": round(batch * steps / seconds), "first_call_s": round(first, 2),
              "graph_nodes": nodes, "host_us_per_node": round(seconds / steps / nodes * 1e6, 1),
              **{f"per_call_{key}": count for key, count in per_call.items()}}
    torch = _torch_cuda()
    if torch is not None:
        ours = fields["ours_samples_per_s"]
        theirs = _torch_w1(torch, data, layers)
        fields.update(torch_samples_per_s=round(theirs), ratio_to_torch=round(ours / theirs, 3))
    report("gpu_w1_train_step", **fields)


def _torch_w1(torch, data, layers) -> float:
    """The same model and optimizer in PyTorch eager on the GPU; batches go in from the host each step."""
    torch.backends.cuda.matmul.allow_tf32 = False
    nn = torch.nn
    model = nn.Sequential(nn.Linear(layers[0], layers[1]), nn.ReLU(), nn.Linear(layers[1], layers[2]), nn.ReLU(),
                          nn.Linear(layers[2], layers[3])).cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    batches = [(torch.from_numpy(x), torch.from_numpy(y.argmax(1))) for x, y in data]

    def epoch():
        for x, y in batches:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x.cuda()), y.cuda())
            loss.backward()
            opt.step()
            loss.item()

    return len(data) * len(data[0][0]) / best_time(epoch, repeats=3)


def main(tiny: bool = False) -> None:
    if not tiny and not D.is_available():
        report("gpu", skipped="no CUDA GPU (or NUMBA_ENABLE_CUDASIM=1)")
        return
    bench_elementwise(1_000 if tiny else 64 * 2 ** 20, 2 if tiny else 20)
    bench_gemm(20 if tiny else 4096, 2 if tiny else 10)
    for batch in ((4,) if tiny else (128, 1024)):
        bench_w1_step(batch, 2 if tiny else 60_000 // batch // 4, TINY_LAYERS if tiny else LAYERS)


if __name__ == "__main__":
    main(tiny="--tiny" in sys.argv)
