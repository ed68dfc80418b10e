"""Linkers turn an optimized `FunctionGraph` into a thunk: ``thunk(input_arrays) -> output arrays``.

The thunk returns the graph's outputs followed by the new values of updated shared
variables; `Function` applies the updates.  ``'py'`` runs numpy references node by
node; ``'numba'`` compiles the whole graph into one Numba function; ``'cuda'`` launches one
numba-cuda kernel per node (`symkeras.graph.linker.cuda`).
"""
from typing import Callable

from symkeras.graph.linker.py import py_linker

LINKERS = {"py": py_linker}


def get_linker(mode: str) -> Callable:
    """The linker registered for `mode`, or a ValueError listing the known modes."""
    if mode == "numba" and "numba" not in LINKERS:
        from symkeras.graph.linker.numba import numba_linker

        LINKERS["numba"] = numba_linker
    if mode == "cuda" and "cuda" not in LINKERS:
        from symkeras.graph.linker.cuda import cuda_linker

        LINKERS["cuda"] = cuda_linker
    if mode not in LINKERS:
        raise ValueError(f"function: unknown mode {mode!r}; known modes: {sorted(set(LINKERS) | {'numba', 'cuda'})}")
    return LINKERS[mode]
