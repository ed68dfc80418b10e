"""The CUDA linker's host loop: one kernel launch (or host step) per node, in topological order.

Values stay where they were made: kernels leave device arrays, shapes and small
constants stay on the host, and each runner moves what it reads.  Shared storage is
uploaded on first use and then lives on the device (`Shared.container` holds the device
array; `get_value` copies it back, `set_value` puts a host value that the next call
uploads).  Ops without a kernel fall back to the host — inputs copied down, the numpy
`perform`, outputs left on the host until a kernel needs them — and are listed in
``thunk.fallback_ops``.

Per call the loop does only what depends on the call: everything else (each node's
input and output slots, its runner, which inputs go to the device) is decided here once,
and each runner caches its launch plan by input shapes.  Device buffers come from the
function's `DevicePool`, so a steady loop allocates nothing; the only waits for the GPU are
the copies of fetched outputs at the end (and host fallbacks, which must read values).
"""
from __future__ import annotations

import time
from typing import Callable, Dict, List, Optional

import numpy as np

from symkeras.graph.basic import Apply, Constant, Shared, Variable
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.pool import DevicePool
from symkeras.graph.linker.cuda.registry import Runner, runner_for
from symkeras.graph.linker.py import run_node
from symkeras.graph.profiling import Profile

#: host values up to this many elements (shapes, hyperparameters) are computed on the host when
#: every input of a node is there: a launch and a copy would cost more than the arithmetic
HOST_ELEMENTS = 8


def host_runner(node: Apply) -> Runner:
    """Run the numpy reference on host copies of the inputs; outputs stay on the host."""
    return lambda args, pool: run_node(node, [D.to_host(a) for a in args])


def _small_on_host(args: List) -> bool:
    # host values are numpy arrays (inputs, constants, host results); device values never are
    return all(isinstance(a, np.ndarray) and a.size <= HOST_ELEMENTS for a in args)


def cuda_linker(fgraph: FunctionGraph, n_outputs: int, profile: Optional[Profile] = None) -> Callable[[List], List]:
    """A thunk launching each node's kernel; outputs come back as numpy, shared updates stay on the device."""
    order = fgraph.toposort()
    runners, fallback_ops, on_device = [], [], set()
    for node in order:
        run = runner_for(node)
        if run is None:
            run = host_runner(node)
            fallback_ops.append(str(node.op))
        else:
            on_device.add(node)
        runners.append(run)
    hosts = [host_runner(node) for node in order]
    shared: List[Shared] = fgraph.shared_variables()
    inputs, outputs = list(fgraph.inputs), list(fgraph.outputs)
    slot: Dict[Variable, int] = {}
    for var in [*inputs, *shared, *fgraph.leaves(), *(o for node in order for o in node.outputs)]:
        slot.setdefault(var, len(slot))
    template: List = [None] * len(slot)
    for c in fgraph.leaves():
        if isinstance(c, Constant):
            template[slot[c]] = D.to_device(c.data) if np.size(c.data) > HOST_ELEMENTS else c.data
    # inputs a kernel reads go to the device once, at the start of a call
    input_slots = [(slot[v], any(client in on_device for client, _ in fgraph.clients(v))) for v in inputs]
    shared_slots = [(slot[s], s) for s in shared]
    steps = [(k, [slot[v] for v in node.inputs], [slot[v] for v in node.outputs]) for k, node in enumerate(order)]
    fetched = [slot[o] for o in outputs[:n_outputs]]
    updated = fgraph.updated_shared
    # an update that is another variable's storage (or a constant) goes to the host: Function copies it there
    roots = [fgraph.alias_root(out) for out in outputs[n_outputs:]]
    host_updates = {k for k, root in enumerate(roots)
                    if isinstance(root, Constant) or (isinstance(root, Shared) and root is not updated[k])}
    update_slots = [(k, slot[out], updated[k]) for k, out in enumerate(outputs[n_outputs:])]
    pool = DevicePool()

    def step(k: int, args: List) -> List:
        if _small_on_host(args):
            return hosts[k](args, pool)
        return runners[k](args, pool)

    def load(values: List) -> List:
        """The slot list of a call: constants, inputs (uploaded where a kernel reads them), shared storage."""
        storage = list(template)
        for (i, read_by_kernel), value in zip(input_slots, values):
            if D.is_device(value):
                value = D.to_device(value)
            elif read_by_kernel and value.size > HOST_ELEMENTS:
                value = pool.device(value)
            storage[i] = value
        for i, s in shared_slots:
            value = s.container[0]
            if isinstance(value, np.ndarray):
                value = s.container[0] = D.to_device(value)
                pool.keep(value, (s,))
            storage[i] = value
        return storage

    def run_nodes(storage: List) -> None:
        for k, in_slots, out_slots in steps:
            args = [storage[i] for i in in_slots]
            if profile is None:
                results = step(k, args)
            else:
                start = time.perf_counter()
                results = step(k, args)
                D.synchronize()
                profile.record(order[k], time.perf_counter() - start)
            for i, value in zip(out_slots, results):
                storage[i] = value

    def thunk(values: List) -> List:
        pool.begin()
        try:
            storage = load(values)
            run_nodes(storage)
            results = [D.to_host(storage[i]) for i in fetched]
            kept = []
            for k, i, s in update_slots:
                if k in host_updates:
                    results.append(D.to_host(storage[i]).copy())
                else:
                    results.append(pool.device(storage[i]))
                    kept.append((results[-1], (s,)))
            pool.run_checks()
        except BaseException:
            pool.end([])
            raise
        pool.end(kept)
        if profile is not None:
            profile.function_calls += 1
        return results

    thunk.fallback_ops = fallback_ops
    thunk.runners = runners
    thunk.pool = pool
    if profile is not None:
        profile.fallback_ops = fallback_ops
    return thunk
