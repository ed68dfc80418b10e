"""The Numba CPU linker: the optimized graph becomes one generated module, an entry point (and its kernels)."""
from __future__ import annotations

from typing import Callable, List, Optional

import numpy as np
from numba.core.dispatcher import Dispatcher

from symkeras.graph import config
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.profiling import Profile, timed_node_loop
from symkeras.graph.linker.numba import elemwise  # noqa: F401  (registers code generators)
from symkeras.graph.linker.numba import random  # noqa: F401  (registers code generators)
from symkeras.graph.linker.numba import blas, nnet, reduction  # noqa: F401  (registers code generators)
from symkeras.graph.linker.numba import shape, subtensor  # noqa: F401  (registers code generators)
from symkeras.graph.linker.numba import scan  # noqa: F401  (registers code generators)
from symkeras.graph.linker.numba import conv, pool  # noqa: F401  (registers code generators)
from symkeras.graph.linker.numba.cache import clear_cache, load_module, loaded_modules, module_source, prepare
from symkeras.graph.linker.numba.cblas import blas_threads, set_blas_threads
from symkeras.graph.linker.numba.codegen import argument_lists, generate_module, generate_node_module
from symkeras.graph.linker.numba.entry import entry_point
from symkeras.graph.linker.malloc import keep_freed_buffers
from symkeras.graph.linker.py import py_linker
from symkeras.ops.scan import Scan


def numba_linker(fgraph: FunctionGraph, n_outputs: int, profile: Optional[Profile] = None) -> Callable[[List[np.ndarray]], List[np.ndarray]]:
    """A thunk that calls the generated entry point with inputs, shared storage and constants.

    With a `profile`, each node is compiled as a function of its own and a host loop times
    every call: slower to compile and to run, but it says where the time goes.
    """
    keep_freed_buffers()
    if profile is not None:
        return _profiled(fgraph, profile)
    generated, kernel_nodes = generate_module(fgraph)
    module = load_module(generated)
    source = module_source(module)
    if config.debug >= 2:
        print(source)
    run = entry_point(module, kernel_nodes, len(fgraph.inputs))
    _, shared, constants = argument_lists(fgraph)
    constant_values = [c.data for c in constants]

    loops = any(isinstance(node.op, Scan) for node in fgraph.apply_nodes)

    def thunk(values: List[np.ndarray]) -> List[np.ndarray]:
        args = [np.ascontiguousarray(v) if np.ndim(v) else np.asarray(v) for v in values]
        args += [s.host_value() for s in shared]
        threads = blas_threads() if loops else None
        try:
            results = run(*args, *constant_values)
        except BaseException as exc:
            if threads is not None:  # a time loop that raised skipped restoring BLAS's thread count
                set_blas_threads(threads)
            if not isinstance(exc, (ValueError, IndexError, ZeroDivisionError, AssertionError)):
                raise
            py_linker(fgraph, n_outputs)(values)  # raises the reference's error, which names op and shapes
            raise RuntimeError(f"the compiled function failed where the numpy reference did not: {exc}") from exc
        return list(results)

    thunk.source = source
    thunk.entry = run
    return thunk


def _profiled(fgraph: FunctionGraph, profile: Profile) -> Callable[[List[np.ndarray]], List[np.ndarray]]:
    nodes = fgraph.toposort()
    source = generate_node_module(nodes)
    module = load_module(source)
    prepare(module)
    runners = [getattr(module, f"node_{k}") for k in range(len(nodes))]
    constants = {c: c.data for c in argument_lists(fgraph)[2]}
    thunk = timed_node_loop(nodes, runners, fgraph, constants, profile)
    thunk.source = source
    return thunk


def compile_count() -> int:
    """How many generated functions (entry points, kernels) Numba compiled in this process rather than loaded
    from its disk cache (helper processes compile more)."""
    return sum(sum(f.stats.cache_misses.values()) for m in loaded_modules().values() for f in _generated(m))


def _generated(module):
    """The CPU functions of a generated module (the CUDA linker's modules have kernels of another kind)."""
    names = [name for name in dir(module) if name in ("run", "kernel") or name.startswith("node_")]
    return [f for f in map(module.__dict__.get, names) if isinstance(f, Dispatcher)]


__all__ = ["clear_cache", "compile_count", "numba_linker"]
