"""Which ops run as CUDA kernels: a factory per op class builds the runner of each node.

A runner is ``run(args, pool) -> outputs``: it receives its inputs where they are (device
arrays, or host arrays for shapes and small constants) and moves them itself; it takes
device buffers from `pool` (a `DevicePool`), which reuses them across calls.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

from symkeras.graph.basic import Apply

Runner = Callable[[List, object], List]
RunnerFactory = Callable[[Apply], Optional[Runner]]
KERNELS: Dict[type, RunnerFactory] = {}


def register_kernel(*op_classes: type):
    """Decorator: `factory(node)` returns the runner of a node whose op is one of `op_classes`.

    A factory may return None for a node it cannot serve (an axis layout it has no kernel
    for); that node then falls back to the host.
    """

    def decorate(factory: RunnerFactory) -> RunnerFactory:
        for cls in op_classes:
            KERNELS[cls] = factory
        return factory

    return decorate


def runner_for(node: Apply) -> Optional[Runner]:
    """The node's device runner, or None where it must fall back to the host."""
    for cls in type(node.op).__mro__:
        if cls in KERNELS:
            return KERNELS[cls](node)
    return None
