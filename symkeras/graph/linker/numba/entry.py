"""How a generated entry point is called: compiled, or as Python while helper processes compile.

In a large graph every node that computes (loops, BLAS, floating-point arithmetic) is a
compiled kernel, and the entry point ``run`` only glues kernels together with views,
shapes and integer index arithmetic.  Compiling that glue was Numba's largest single job
(a 600-line function of kernel calls: 11 s of an LSTM's 37 s cold start), yet as plain
Python it is slower only by the cost of calling each kernel from the interpreter.  So a
split module's ``run`` is used compiled when Numba's disk cache has it.  Otherwise it runs
as Python: on the first call the kernels compile on two cores (`prefetch`), and after
`COMPILE_AFTER_CALLS` calls a low-priority `compile_worker` process compiles ``run`` into
the cache, where the next call picks it up — if the glue is worth it: the calls just before
time the glue apart from its kernels, and a glue under `MIN_GLUE_SHARE` of a call (a CNN's,
~1% of its step) stays Python, since the helper would slow training for longer than the
compiled glue ever gains back.  Both versions call the same kernels and the
glue's only floating-point arithmetic is 0-d and exactly rounded (+ − × ÷, negation, casts),
so the switch never changes a result: a seeded fit stays bit-reproducible whenever it happens.
While that helper runs, this process's BLAS keeps to one thread where that changes no result
(`yield_a_core`).
"""
from __future__ import annotations

import subprocess
import threading
import time
import warnings
from types import ModuleType
from typing import Callable, Dict, List, Optional, Tuple

import numba
import numpy as np

from symkeras.graph import config
from symkeras.graph.basic import Apply
from symkeras.graph.linker.numba import cblas, compile_worker
from symkeras.graph.linker.numba.cache import prepare
from symkeras.graph.linker.numba.prefetch import glue_with, has_cache_index, load_cached, prefetch_kernels

#: calls of the Python glue before its compilation starts: short runs (tests, one-off calls) never pay for it
COMPILE_AFTER_CALLS = 50
#: calls just before that whose glue is timed apart from the kernels (never the first: it compiles them)
TIMED_CALLS = 3
#: the least share of a call's time in the Python glue for which compiling it is worth a helper beside training
#: (measured steady epochs, Python glue against compiled: LSTM 7% of a call, 14% slower epochs; W1 5%, 1.5%;
#: mnist_cnn 1%, equal — while its helper made three epochs 30% slower)
MIN_GLUE_SHARE = 0.02


class CoreYield:
    """While a helper of this process compiles beside training, BLAS on the training thread keeps one thread.

    The helper takes a core; threaded BLAS would keep waiting for its descheduled second
    thread (MKL's threads spin at every barrier: W1's epochs ran 1.7-2.5x slower beside a
    niced busy process), and the niced helper would starve for seconds.  With one BLAS thread
    each gets a core.  Only where the thread count changes no result
    (`BlasLibrary.thread_count_invariant`): a seeded fit must not depend on when a helper ends.
    Every entry-point call polls the helpers, so BLAS gets its threads back even when the
    function that started one is never called again.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.workers: List[subprocess.Popen] = []
        self.saved = 0
        self.thread = 0

    def start(self, worker: subprocess.Popen) -> None:
        """`worker` started beside training: the first one takes this thread's BLAS down to one thread."""
        if not self.enabled:
            return
        if not self.workers:
            self.saved, self.thread = cblas.set_blas_threads(1), threading.get_ident()
        self.workers.append(worker)

    def poll(self) -> None:
        """Give BLAS its threads back once every helper has ended (on the thread that took them)."""
        if not self.workers or threading.get_ident() != self.thread:
            return
        self.workers = [worker for worker in self.workers if worker.poll() is None]
        if not self.workers:
            cblas.set_blas_threads(self.saved)


#: shared by every `GlueFirst` of the process
yield_a_core = CoreYield(cblas.LIBRARY.thread_count_invariant)


def entry_point(module: ModuleType, kernel_nodes: Dict[str, Apply], n_inputs: int) -> Callable:
    """The callable that runs `module`'s graph (whose first `n_inputs` arguments are the function's inputs):
    ``run`` itself, or a `GlueFirst` around it in a split module (unless helper processes are turned off,
    ``SYMKERAS_COMPILE_HELPERS=0``: then ``run`` compiles on the first call, in this process)."""
    if kernel_nodes and config.compile_helpers:
        return GlueFirst(module, kernel_nodes, n_inputs)
    prepare(module)
    return module.run


class GlueFirst:
    """Calls ``run.py_func`` until the compiled ``run`` is in Numba's disk cache, then the compiled ``run``."""

    def __init__(self, module: ModuleType, kernel_nodes: Dict[str, Apply], n_inputs: int):
        self.module = module
        self.kernel_nodes = kernel_nodes
        self.n_inputs = n_inputs
        self.dispatcher = module.run
        self._call: Callable = self.dispatcher.py_func
        self._calls = 0
        self._signature: Optional[Tuple] = None
        self._worker: Optional[subprocess.Popen] = None
        self._prefetcher: Optional[subprocess.Popen] = None
        self._timer = GlueTimer(module, kernel_nodes)

    @property
    def compiled(self) -> bool:
        """Whether calls now go to the compiled entry point."""
        return self._call is self.dispatcher

    def __call__(self, *args):
        if yield_a_core.workers:
            yield_a_core.poll()
        if self.compiled:
            return self._call(*args)
        self._advance(args)
        timed = max(2, COMPILE_AFTER_CALLS - TIMED_CALLS) <= self._calls < COMPILE_AFTER_CALLS
        call = self._timer if timed else self._call
        with np.errstate(all="ignore"):  # as compiled code: a 0-d division by zero is inf, silently
            return call(*args)

    def _advance(self, args) -> None:
        """Move towards the compiled entry point: check the cache, start a helper, or take its result."""
        self._calls += 1
        if self._calls == 1:
            self._signature = tuple(numba.typeof(a) for a in args)
            if has_cache_index(self.dispatcher):
                prepare(self.module)
                if load_cached(self.dispatcher, self._signature):
                    self._call = self.dispatcher
                    return
            self._prefetcher = prefetch_kernels(self.module, self.kernel_nodes, args, self.n_inputs)  # prepares too
            return
        if self._prefetcher is not None and self._prefetcher.poll() is not None:
            prefetcher, self._prefetcher = self._prefetcher, None
            _warn_if_failed(prefetcher, f"compiling the kernels of {self.module.__name__} ahead")
        if self._calls == COMPILE_AFTER_CALLS:
            if self._timer.calls and self._timer.share < MIN_GLUE_SHARE:
                return  # not worth compiling: it stays Python
            key = self.module.__name__.rsplit("_", 1)[-1]
            self._worker = compile_worker.start([(key, "run", self._signature)], low_priority=True)
            if self._worker is None:
                self._take_compiled()  # no helper process: compile here
            else:
                yield_a_core.start(self._worker)
        elif self._worker is not None and self._worker.poll() is not None:
            self._collect_worker()

    def wait(self) -> None:
        """Block until the helper compiling ``run`` (if started) has finished, then use its result."""
        if self._worker is not None:
            self._worker.wait()
            self._collect_worker()
            yield_a_core.poll()

    def _collect_worker(self) -> None:
        worker, self._worker = self._worker, None
        if _warn_if_failed(worker, f"compiling the entry point of {self.module.__name__} (it keeps running as "
                                   f"Python)"):
            self._take_compiled()

    def _take_compiled(self) -> None:
        self.dispatcher.compile(self._signature)  # loaded from the disk cache (compiled without a helper)
        self._call = self.dispatcher


class GlueTimer:
    """Runs the Python glue with its kernels timed apart: the share of the calls' time the glue itself took.

    That share is what compiling the glue can save; the time of crossing into each kernel
    (which compiled glue saves too) counts as the kernel's, so the share errs low."""

    def __init__(self, module: ModuleType, kernel_names):
        self.calls = 0
        self.total = 0.0
        self.in_kernels = 0.0
        self._run = glue_with(module, {name: self._timed(getattr(module, name)) for name in kernel_names})

    def _timed(self, kernel: Callable) -> Callable:
        def timed(*args):
            start = time.perf_counter()
            try:
                return kernel(*args)
            finally:
                self.in_kernels += time.perf_counter() - start
        return timed

    def __call__(self, *args):
        start = time.perf_counter()
        try:
            return self._run(*args)
        finally:
            self.total += time.perf_counter() - start
            self.calls += 1

    @property
    def share(self) -> float:
        """The glue's share of the timed calls' time (0 before any)."""
        return (self.total - self.in_kernels) / self.total if self.total else 0.0


def _warn_if_failed(worker: subprocess.Popen, what: str) -> bool:
    """Whether the finished helper `worker` succeeded; a warning saying what failed if not."""
    message = compile_worker.failure(worker)
    if worker.returncode:
        warnings.warn(f"symkeras: {what} failed: {message}", RuntimeWarning)
    return not worker.returncode
