"""W1: the Keras mnist_mlp model trained through ``model.fit``, side by side with PyTorch eager.

784 → Dense 512 relu → Dense 512 relu → Dense 10 softmax, categorical crossentropy, SGD
lr 0.01 momentum 0.9, batch 128, 60,000 synthetic samples an epoch.  Prints JSON lines:
first-epoch and steady-epoch seconds, samples/s, predict samples/s, peak RSS, the share
of the machine's numpy GEMM rate (measured in the same run), PyTorch's figures where
torch is installed, and the ratio of the two steady epochs (issue 5's target: at most 0.8).
Whether the first epoch compiled (``compiled_functions`` > 0: generated functions this
process compiled rather than loaded) or loaded the disk cache depends on
``SYMKERAS_CACHE_DIR``: point it at an empty folder for a cold start.
"""
from __future__ import annotations

import resource
import time
from typing import Optional

import numpy as np

from benchmarks.common import epoch_times, numpy_gemm_gflops, report, torch_train_epoch

SAMPLES, BATCH, EPOCHS = 60_000, 128, 3
LAYERS = (784, 512, 512, 10)


def gemm_flops_per_epoch() -> float:
    """Forward and backward products of one epoch (3 GEMMs a layer, the first layer's input grad skipped)."""
    pairs = list(zip(LAYERS[:-1], LAYERS[1:]))
    per_sample = sum(2 * a * b for a, b in pairs) * 3 - 2 * LAYERS[0] * LAYERS[1]
    return per_sample * SAMPLES


def synthetic_data():
    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, LAYERS[0]), dtype=np.float32)
    y = np.eye(LAYERS[-1], dtype=np.float32)[rng.integers(0, LAYERS[-1], SAMPLES)]
    return x, y


def bench_symkeras(x, y, peak: float) -> float:
    import symkeras as keras
    from symkeras.graph.linker.numba import compile_count

    model = keras.models.Sequential([
        keras.layers.Dense(512, activation="relu", input_shape=(784,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(lr=0.01, momentum=0.9))
    times = epoch_times(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0), EPOCHS)
    steady = min(times[1:])
    start = time.perf_counter()
    model.predict(x, batch_size=1024)
    predict = time.perf_counter() - start
    report("w1_mlp_fit", framework="symkeras", first_epoch_s=round(times[0], 3), steady_epoch_s=round(steady, 3),
           first_epoch_overhead_s=round(times[0] - steady, 3), samples_per_s=round(SAMPLES / steady),
           predict_samples_per_s=round(SAMPLES / predict), compiled_functions=compile_count(),
           gemm_share_of_numpy_peak=round(gemm_flops_per_epoch() / steady / 1e9 / peak, 3),
           peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return steady


def bench_torch(x, y) -> Optional[float]:
    try:
        import torch
    except ImportError:
        report("w1_mlp_fit", framework="pytorch", skipped="torch is not installed (pip install torch==2.13.0)")
        return None
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.argmax(1))
    loss_fn = torch.nn.CrossEntropyLoss()
    times = epoch_times(lambda: torch_train_epoch(model, opt, loss_fn, xt, yt, BATCH), EPOCHS)
    report("w1_mlp_fit", framework="pytorch", version=torch.__version__, threads=torch.get_num_threads(),
           first_epoch_s=round(times[0], 3), steady_epoch_s=round(min(times[1:]), 3),
           samples_per_s=round(SAMPLES / min(times[1:])))
    return min(times[1:])


def main() -> None:
    peak = numpy_gemm_gflops()
    report("numpy_gemm_peak", n=1024, gflops=round(peak, 1))
    x, y = synthetic_data()
    ours = bench_symkeras(x, y, peak)
    theirs = bench_torch(x, y)
    if theirs:
        report("w1_steady_epoch_ratio", symkeras_over_pytorch=round(ours / theirs, 3), target=0.8)


if __name__ == "__main__":
    main()
