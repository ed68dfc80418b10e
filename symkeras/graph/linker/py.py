"""The reference linker: run every node's numpy `perform` in topological order."""
from __future__ import annotations

from typing import Callable, List, Optional

import numpy as np

from symkeras.graph.basic import Apply, Constant
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.profiling import Profile, timed_node_loop
from symkeras.graph.type import format_shape


def py_linker(fgraph: FunctionGraph, n_outputs: int, profile: Optional[Profile] = None) -> Callable[[List[np.ndarray]], List[np.ndarray]]:
    """A thunk that evaluates `fgraph` with numpy, checking each result against its inferred type."""
    order = fgraph.toposort()
    constants = [(v, v.data) for v in fgraph.leaves() if isinstance(v, Constant)]
    shared = fgraph.shared_variables()
    inputs, outputs = list(fgraph.inputs), list(fgraph.outputs)
    if profile is not None:
        runners = [lambda *args, node=node: run_node(node, list(args)) for node in order]
        return timed_node_loop(order, runners, fgraph, dict(constants), profile)

    def thunk(values: List[np.ndarray]) -> List[np.ndarray]:
        storage = dict(constants)
        storage.update(zip(inputs, values))
        storage.update((s, s.host_value()) for s in shared)
        for node in order:
            args = [storage[v] for v in node.inputs]
            results = run_node(node, args)
            storage.update(zip(node.outputs, results))
        return [storage[o] for o in outputs]

    return thunk


def run_node(node: Apply, args: List[np.ndarray]) -> List[np.ndarray]:
    """`perform` one node; a failure names the op and its input shapes, a wrong result is caught."""
    try:
        results = node.op.perform(node, args)
    except (ValueError, TypeError, IndexError, ZeroDivisionError) as exc:
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" for a in args)
        raise type(exc)(f"{node.op} failed on inputs ({shapes}): {exc}") from exc
    for var, value in zip(node.outputs, results):
        check_result(node, var, value)
    return results


def check_result(node: Apply, var, value) -> None:
    """An op whose result contradicts its inferred type is a bug in that op: say so at once."""
    t = var.type
    if not isinstance(value, np.ndarray) or value.dtype.name != t.dtype or value.ndim != t.ndim or any(
        s is not None and s != d for s, d in zip(t.shape, value.shape)
    ):
        got = f"{value.dtype.name} {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise AssertionError(
            f"{node.op}.perform returned {got} for an output typed {t.dtype} {format_shape(t.shape)}"
        )

