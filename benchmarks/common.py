"""Shared benchmark helpers: timing, the machine's GEMM peak, and JSON-line reporting."""
from __future__ import annotations

import json
import os
import time
from typing import Callable, Dict

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
