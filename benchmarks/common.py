"""Shared benchmark helpers: timing, the machine's GEMM peak, and JSON-line reporting."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, Iterator, List, Tuple

import numpy as np


def best_time(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of `repeats` timed calls after `warmup` untimed ones (noise only adds time)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def epoch_times(train_one_epoch: Callable[[], object], epochs: int) -> List[float]:
    """Seconds of each of `epochs` calls to `train_one_epoch` (the first includes compilation)."""
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        train_one_epoch()
        times.append(time.perf_counter() - start)
    return times


def torch_train_epoch(model, opt, loss_fn, xt, yt, batch: int) -> None:
    """One PyTorch eager epoch over `xt`, `yt` in minibatches of `batch`: the same loop for every workload."""
    for i in range(0, len(xt), batch):
        opt.zero_grad()
        loss = loss_fn(model(xt[i:i + batch]), yt[i:i + batch])
        loss.backward()
        opt.step()


def cold_and_warm_runs(script: str) -> Iterator[Tuple[str, float, float, float]]:
    """Run `script` in a new process twice on one empty compile cache: ``(label, build_s, first_call_s, process_s)``.

    `script` prints two floats: seconds to build the function, then seconds of its first call.
    """
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, SYMKERAS_CACHE_DIR=cache)
        for label in ("cold", "warm"):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
            build, first_call = map(float, out.stdout.split())
            yield label, build, first_call, time.perf_counter() - start


def numpy_gemm_gflops(n: int = 1024, dtype: str = "float32") -> float:
    """This machine's float32 GEMM rate through numpy, measured now (the yardstick for every figure)."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32).astype(dtype), rng.random((n, n), dtype=np.float32).astype(dtype)
    return 2 * n ** 3 / best_time(lambda: a @ b) / 1e9


def report(workload: str, **fields) -> Dict:
    """Print one JSON line describing a measurement."""
    record = {"workload": workload, "threads": os.environ.get("NUMBA_NUM_THREADS", "default"), **fields}
    print(json.dumps(record), flush=True)
    return record
