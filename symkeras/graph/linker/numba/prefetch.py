"""Compile a split module's kernels on two cores: the step reaches them first to last, a helper last to first.

Numba compiles a kernel when it is first called, so a cold first step compiles every
kernel one after another on one core.  To give the other core work, the step is first
*traced*: the entry point runs as Python with each kernel replaced by its node's numpy
reference (on copies of the writable arguments), which records the Numba signature every
kernel call will have — the reference's results are laid out as the kernel's would be
(fresh C-contiguous arrays, or the destroyed input itself).  Kernels Numba's disk cache lacks go
to a `compile_worker` process in reverse order while the real step compiles them in
order; each side loads from the cache what the other has finished.  The helper starts
before the step compiles anything, even the BLAS runtime its kernels call.  A signature that
turns out different at run time is compiled by the step as before: tracing only ever
saves time.
"""
from __future__ import annotations

import os
import subprocess
import types
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numba
import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.numba import compile_worker
from symkeras.graph.linker.numba.cache import prepare

#: fewer kernels to compile than this are not worth a helper process (it costs ~0.5 s to start)
MIN_KERNELS = 4


def prefetch_kernels(module: types.ModuleType, kernel_nodes: Dict[str, Apply], args: Sequence,
                     n_inputs: int) -> Optional[subprocess.Popen]:
    """Trace `module`'s entry point on `args` (the first `n_inputs` are the function's inputs), start a helper
    compiling the kernels the disk cache lacks last to first, then `prepare` the module and load the kernels the
    cache has; the helper process, or None when there was nothing worth it.

    The helper starts before `prepare`, which may compile the BLAS runtime for a second: the
    kernels it begins with (the optimizer's, at the end of the step) do not call BLAS.  A
    kernel counts as missing when Numba's cache has no index for it at all, which is known
    without loading anything (loading cached code needs `prepare` first).  The trace runs on
    the first two rows of each input: the numpy references of big convolutions would take
    seconds on a whole batch, and the signatures do not depend on the batch size.
    """
    if all(has_cache_index(getattr(module, name)) for name in kernel_nodes):
        prepare(module)  # a warm cache: each kernel loads on its first call, nothing to trace
        return None
    rows = [a[:2] if isinstance(a, np.ndarray) and a.ndim else a for a in args[:n_inputs]]
    try:
        calls = trace_kernel_calls(module, kernel_nodes, rows + list(args[n_inputs:]))
    except Exception:  # the real step raises the error properly; tracing is only an optimization
        calls = []
    indexed = [has_cache_index(getattr(module, name)) for name, _ in calls]
    missing = [call for call, found in zip(calls, indexed) if not found]
    helper = None
    if len(missing) >= MIN_KERNELS:
        keys = _kernel_keys(module)
        jobs = [(keys[name], "kernel", signature) for name, signature in reversed(missing)]
        helper = compile_worker.start(jobs, low_priority=False)  # the step waits for these kernels too
    prepare(module)
    for (name, signature), found in zip(calls, indexed):
        if found:
            load_cached(getattr(module, name), signature)
    return helper


def trace_kernel_calls(module: types.ModuleType, kernel_nodes: Dict[str, Apply],
                       args: Sequence) -> List[Tuple[str, tuple]]:
    """The distinct ``(kernel name, Numba signature)`` of the kernel calls the entry point makes on `args`, in order."""
    calls: Dict[Tuple[str, tuple], None] = {}
    traced = glue_with(module, {name: _stand_in(name, node, calls) for name, node in kernel_nodes.items()})
    with np.errstate(all="ignore"):
        traced(*[a.copy() if isinstance(a, np.ndarray) and a.flags.writeable else a for a in args])
    return list(calls)


def glue_with(module: types.ModuleType, kernels: Dict[str, Callable]) -> Callable:
    """`module`'s entry point as Python, calling `kernels` (by name) in place of its kernels."""
    glue = module.run.py_func
    scope = dict(glue.__globals__, **kernels)
    return types.FunctionType(glue.__code__, scope, glue.__name__, glue.__defaults__, glue.__closure__)


def _stand_in(name: str, node: Apply, calls: Dict[Tuple[str, tuple], None]):
    """A function with the kernel's arguments and results that records its signature and runs `node`'s reference."""
    unique = list(dict.fromkeys(node.inputs))
    destroyed = {k: inputs[0] for k, inputs in node.op.destroy_map.items()}

    def kernel(*values):
        calls[(name, tuple(numba.typeof(v) for v in values))] = None
        by_var = dict(zip(unique, values))
        results = node.op.perform(node, [by_var[v] for v in node.inputs])
        outs = []
        for k, (var, result) in enumerate(zip(node.outputs, results)):
            if k in destroyed:  # an in-place kernel returns the input it overwrote
                target = by_var[node.inputs[destroyed[k]]]
                target[...] = result
                outs.append(target)
            else:
                out = np.asarray(result, dtype=var.dtype)
                outs.append(out if out.flags.c_contiguous else out.copy(order="C"))
        return tuple(outs)

    return kernel


def has_cache_index(dispatcher) -> bool:
    """Whether Numba's disk cache has an index for `dispatcher`, i.e. may hold a compiled version of it (loads
    nothing); False for a dispatcher Numba does not cache."""
    cache_file = getattr(dispatcher._cache, "_cache_file", None)
    return cache_file is not None and os.path.exists(cache_file._index_path)


def load_cached(dispatcher, signature: tuple) -> bool:
    """Load `dispatcher`'s compiled `signature` from Numba's disk cache if it is there; whether it was.

    As Numba's own cache hit does, the loaded function is also registered with the target
    context, so that a compiled caller (the entry point ``run``, compiled later in this
    process) can call it.
    """
    if signature in dispatcher.overloads:
        return True
    result = dispatcher._cache.load_overload(signature, dispatcher.targetctx)
    if result is None:
        return False
    dispatcher.targetctx.insert_user_function(result.entry_point, result.fndesc, [result.library])
    dispatcher.add_overload(result)
    return True


def _kernel_keys(module: types.ModuleType) -> Dict[str, str]:
    """Module-level kernel name -> the cache key of its module."""
    return {name: value.py_func.__module__.rsplit("_", 1)[-1] for name, value in vars(module).items()
            if name.startswith("kernel_")}
