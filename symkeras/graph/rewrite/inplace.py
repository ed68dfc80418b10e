"""inplace: let elementwise, gemm and increment outputs overwrite an input buffer nobody needs any more.

An input may be overwritten when it has the output's exact type, is a fresh buffer (not
a view, a constant or a caller's array) and this node is its only reader.  A shared
variable may be overwritten by its own update — weights and optimizer slots are updated
in place — once every other reader has run, through views of it too: ordering
constraints say so, and no graph output may alias it.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import networkx as nx

from symkeras.graph.basic import Apply, Op, Shared, Variable
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.rewrite.engine import RewriteLog, register_graph_rewrite
from symkeras.ops.elemwise import Elemwise
from symkeras.ops.gemm import Gemm
from symkeras.ops.subtensor import AdvancedIncSubtensor, IncSubtensor

INCREMENTS = (IncSubtensor, AdvancedIncSubtensor)


def _is_fresh(var: Variable) -> bool:
    """True if `var` is computed by a node into a buffer of its own (not a view of an input)."""
    node = var.owner
    return node is not None and var.index not in node.op.view_map


def _sole_reader(fgraph: FunctionGraph, var: Variable, node: Apply) -> bool:
    return all(client is node for client, _ in fgraph.clients(var))


def update_targets(fgraph: FunctionGraph) -> Dict[Variable, Shared]:
    """Each update value (the graph outputs after the user's) → the shared variable it replaces."""
    first = len(fgraph.outputs) - len(fgraph.updated_shared)
    return {fgraph.outputs[first + k]: s for k, s in enumerate(fgraph.updated_shared)}


def readers_through_views(fgraph: FunctionGraph, var: Variable) -> Optional[List[Apply]]:
    """Every node that reads `var`'s buffer, directly or through views of it; None if a graph output aliases it."""
    readers, stack, seen = [], [var], set()
    while stack:
        v = stack.pop()
        for client, _ in fgraph.clients(v):
            if client == "output":
                return None
            if client in seen:
                continue
            seen.add(client)
            readers.append(client)
            stack.extend(o for k, o in enumerate(client.outputs) if k in client.op.view_map)
    return readers


def _can_destroy_shared(fgraph: FunctionGraph, shared: Shared, node: Apply, readers: Optional[List[Apply]]) -> bool:
    """The update may overwrite the shared buffer if it can run after every other reader of it.

    The updating node itself may read the buffer only directly (element i for element i),
    never through a view such as a transpose, which would read elements already written.
    """
    if readers is None:
        return False
    direct = {client for client, _ in fgraph.clients(shared)}
    if node in readers and any(inp is not shared and fgraph.alias_root(inp) is shared for inp in node.inputs):
        return False
    downstream = nx.descendants(fgraph.nx, node)
    return node in direct and not any(r is not node and r in downstream for r in readers)


def _overwritable_inputs(fgraph: FunctionGraph, node: Apply) -> List[int]:
    """The inputs an in-place version of `node` could write its result over (none if it is one already).

    An elementwise node reads element i only to write element i, so any input will do; a
    gemm may overwrite its accumulator, and an increment its x, only if no other input
    (factor, increment, index) shares that buffer.
    """
    op = node.op
    if isinstance(op, Elemwise) and op.inplace is None:
        return list(range(len(node.inputs)))
    if isinstance(op, (Gemm,) + INCREMENTS) and not op.inplace:
        root = fgraph.alias_root(node.inputs[0])
        return [] if any(fgraph.alias_root(v) is root for v in node.inputs[1:]) else [0]
    return []


def _inplace_op(op: Op, index: int) -> Op:
    """The version of `op` that writes its output over input `index`."""
    if isinstance(op, Gemm):
        return Gemm(inplace=True)
    if isinstance(op, INCREMENTS):
        return type(op)(op.idx_list, op.set_instead_of_inc, inplace=True)
    return Elemwise(op.scalar_op, inplace=index)


def _mark(fgraph: FunctionGraph, node: Apply, index: int, after: List[Apply]) -> None:
    new = _inplace_op(node.op, index).make_node(*node.inputs)
    fgraph.replace(node.outputs[0], new.outputs[0], reason="inplace_elemwise")
    if after:
        fgraph.orderings[new] = after


@register_graph_rewrite("inplace", name="inplace_elemwise", tags=["inplace"])
def make_elemwise_inplace(fgraph: FunctionGraph, log: RewriteLog) -> None:
    """Mark each elementwise, gemm or increment node that can write its result over one of its inputs."""
    updates = update_targets(fgraph)
    for node in fgraph.toposort():
        candidates = _overwritable_inputs(fgraph, node)
        if not candidates:
            continue
        out = node.outputs[0]
        target = updates.get(out)
        if target is not None and target in node.inputs and node.inputs.index(target) in candidates \
                and target.type == out.type:
            # an update writes into its own shared variable's storage where it can
            i = node.inputs.index(target)
            readers = readers_through_views(fgraph, target)
            if _can_destroy_shared(fgraph, target, node, readers):
                _mark(fgraph, node, i, [r for r in readers if r is not node])
                log.record("inplace_shared_update", node)
                continue
        for i in candidates:
            var = node.inputs[i]
            if var.type == out.type and _is_fresh(var) and _sole_reader(fgraph, var, node) and var not in fgraph.inputs:
                _mark(fgraph, node, i, [])
                log.record("inplace_elemwise", node)
                break
