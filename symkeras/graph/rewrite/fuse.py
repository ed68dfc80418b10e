"""fuse: grow maximal clusters of elementwise nodes into single ``Elemwise(Composite)`` nodes.

A cluster grows from a sink towards its inputs, absorbing an elementwise producer when
every client of its output is already in the cluster.  That rule keeps clusters convex
(no path leaves the cluster and re-enters it) without a reachability analysis, and each
absorbed value stays private to the fused loop.  Fused kernels are capped in size,
since Numba's compile time grows with the body (about 7 ms per scalar op).
"""
from __future__ import annotations

from typing import Dict, List

from symkeras.graph.basic import Apply, Variable
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.rewrite.engine import RewriteLog, register_graph_rewrite
from symkeras.ops.composite import Composite
from symkeras.ops.elemwise import Elemwise

#: most scalar ops in one fused kernel
MAX_FUSED_OPS = 64
#: most distinct inputs of one fused kernel
MAX_FUSED_INPUTS = 32


def _fusable(node: Apply) -> bool:
    return isinstance(node.op, Elemwise) and len(node.outputs) == 1 and not node.op.destroy_map


def _size(node: Apply) -> int:
    scalar_op = node.op.scalar_op
    return scalar_op.n_ops if isinstance(scalar_op, Composite) else 1


def grow_cluster(fgraph: FunctionGraph, sink: Apply) -> List[Apply]:
    """The nodes fused with `sink`, in topological order (sink last)."""
    members = {sink}
    ops = _size(sink)
    frontier = [sink]
    while frontier:
        node = frontier.pop()
        for var in node.inputs:
            producer = var.owner
            if producer is None or producer in members or producer not in fgraph.apply_nodes or not _fusable(producer):
                continue
            if var in fgraph.inputs or ops + _size(producer) > MAX_FUSED_OPS:
                continue
            if all(client != "output" and client in members for client, _ in fgraph.clients(var)):
                members.add(producer)
                ops += _size(producer)
                frontier.append(producer)
    return [n for n in fgraph.toposort() if n in members]


def _append_program(program: list, node: Apply, slots: List[int], nin_total: int) -> None:
    """Add `node`'s scalar op (a composite's program inlined) reading from `slots`."""
    scalar_op = node.op.scalar_op
    if isinstance(scalar_op, Composite):
        local = list(slots)
        for op, args, dtype in scalar_op.program:
            program.append((op, tuple(local[a] for a in args), dtype))
            local.append(nin_total + len(program) - 1)
    else:
        program.append((scalar_op, tuple(slots), node.outputs[0].dtype))


def build_composite(cluster: List[Apply]):
    """The outer inputs and the `Composite` computing the cluster's last node from them."""
    inside = {o for n in cluster for o in n.outputs}
    outer: List[Variable] = []
    for node in cluster:
        for var in node.inputs:
            if var not in inside and var not in outer:
                outer.append(var)
    slot: Dict[Variable, int] = {v: i for i, v in enumerate(outer)}
    program: list = []
    for node in cluster:
        _append_program(program, node, [slot[v] for v in node.inputs], len(outer))
        slot[node.outputs[0]] = len(outer) + len(program) - 1
    return outer, Composite(len(outer), program)


@register_graph_rewrite("fuse", name="fuse_elementwise_clusters", tags=["fusion"])
def fuse_elementwise_clusters(fgraph: FunctionGraph, log: RewriteLog) -> None:
    """Replace every cluster of two or more elementwise nodes by one fused node."""
    for sink in reversed(fgraph.toposort()):
        if sink not in fgraph.apply_nodes or not _fusable(sink):
            continue
        cluster = grow_cluster(fgraph, sink)
        if len(cluster) < 2:
            continue
        outer, composite = build_composite(cluster)
        if len(outer) > MAX_FUSED_INPUTS:
            continue
        fused = Elemwise(composite)(*outer)
        fgraph.replace(sink.outputs[0], fused, reason="fuse_elementwise_clusters")
        log.record("fuse_elementwise_clusters", sink)
