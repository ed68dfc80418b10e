"""How a generated entry point is called: compiled, or as Python while another process compiles it.

In a large graph every node that computes (loops, BLAS, floating-point arithmetic) is a
compiled kernel, and the entry point ``run`` only glues kernels together with views,
shapes and integer index arithmetic.  Compiling that glue is Numba's largest single job
(a 600-line function of kernel calls: 11 s of an LSTM's 37 s cold start), yet as plain
Python it is slower only by the cost of calling each kernel from the interpreter.  So a
split module's ``run`` is used compiled when Numba's disk cache has it, and otherwise
runs as Python — its kernels compiled as they are reached — until a helper process
(``python -m symkeras.graph.linker.numba.entry``, started after `COMPILE_AFTER_CALLS`
calls, at low priority) has compiled it into the cache; the compiled function then takes
over.  A process, not a thread: a compiling thread holds the GIL and stalls every kernel
call of the training loop.  Both versions call the same kernels and the glue does no
floating-point arithmetic, so the switch never changes a result: a seeded fit stays
bit-reproducible whenever it happens.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import warnings
from types import ModuleType
from typing import Callable, Optional, Tuple

import numba

#: calls of the Python glue before its compilation starts: short runs (tests, one-off calls) never pay for it
COMPILE_AFTER_CALLS = 50


def entry_point(module: ModuleType) -> Callable:
    """The callable that runs `module`'s graph: ``run`` itself, or a `GlueFirst` around it in a split module."""
    split = any(name.startswith("kernel_") for name in vars(module))
    return GlueFirst(module) if split else module.run


class GlueFirst:
    """Calls ``run.py_func`` until the compiled ``run`` is in Numba's disk cache, then the compiled ``run``."""

    def __init__(self, module: ModuleType):
        self.module = module
        self.dispatcher = module.run
        self._call: Callable = self.dispatcher.py_func
        self._calls = 0
        self._signature: Optional[Tuple] = None
        self._worker: Optional[subprocess.Popen] = None

    @property
    def compiled(self) -> bool:
        """Whether calls now go to the compiled entry point."""
        return self._call is self.dispatcher

    def __call__(self, *args):
        if not self.compiled:
            self._advance(args)
        return self._call(*args)

    def _advance(self, args) -> None:
        """Move towards the compiled entry point: check the cache, start the helper, or take its result."""
        self._calls += 1
        if self._calls == 1:
            self._signature = tuple(numba.typeof(a) for a in args)
            if self.dispatcher._cache.load_overload(self._signature, self.dispatcher.targetctx) is not None:
                self._take_compiled()
        elif self._calls == COMPILE_AFTER_CALLS:
            self._worker = start_compile_worker(self.module, self._signature)
        elif self._worker is not None and self._worker.poll() is not None:
            self._collect_worker()

    def wait(self) -> None:
        """Block until the helper process (if started) has finished, then use its result."""
        if self._worker is not None:
            self._worker.wait()
            self._collect_worker()

    def _collect_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker.returncode == 0:
            worker.log.close()
            self._take_compiled()
            return
        worker.log.seek(0)
        message = worker.log.read().decode(errors="replace").strip()[-500:]
        warnings.warn(f"symkeras: compiling the entry point of {self.module.__name__} failed ({message}); "
                      f"it keeps running as Python", RuntimeWarning)

    def _take_compiled(self) -> None:
        self.dispatcher.compile(self._signature)  # a load from the disk cache
        self._call = self.dispatcher


def start_compile_worker(module: ModuleType, signature: Tuple) -> subprocess.Popen:
    """A low-priority process that compiles `module`'s ``run`` for `signature` into Numba's disk cache."""
    key = module.__name__.rsplit("_", 1)[-1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    log = tempfile.TemporaryFile()
    worker = subprocess.Popen([sys.executable, "-m", __name__, key], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=log, env=env)
    worker.log = log
    worker.stdin.write(pickle.dumps(signature))
    worker.stdin.close()
    return worker


def _compile_from_stdin(key: str) -> None:
    from symkeras.graph.linker.numba.cache import import_module

    if hasattr(os, "nice"):
        os.nice(10)
    signature = pickle.loads(sys.stdin.buffer.read())
    import_module(key).run.compile(signature)


if __name__ == "__main__":
    _compile_from_stdin(sys.argv[1])
