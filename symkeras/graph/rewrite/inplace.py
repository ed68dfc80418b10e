"""inplace: let elementwise outputs overwrite an input buffer nobody needs any more.

An input may be overwritten when it has the output's exact type, is a fresh buffer (not
a view, a constant or a caller's array) and this node is its only reader.  A shared
variable may be overwritten by its own update — weights and optimizer slots are updated
in place — once every other reader has run: an ordering constraint says so, and no
reader may be a view that outlives the update.
"""
from __future__ import annotations

from typing import Dict, List

import networkx as nx

from symkeras.graph.basic import Apply, Constant, Shared, Variable
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.rewrite.engine import RewriteLog, register_graph_rewrite
from symkeras.ops.elemwise import Elemwise


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


def _can_destroy_shared(fgraph: FunctionGraph, shared: Shared, node: Apply) -> bool:
    """Other readers of `shared` must be plain consumers (no views) that do not depend on `node`."""
    downstream = nx.descendants(fgraph.nx, node)
    for client, _ in fgraph.clients(shared):
        if client == "output":
            return False
        if client is not node and (client.op.view_map or client in downstream):
            return False
    return True


def _mark(fgraph: FunctionGraph, node: Apply, index: int, after: List[Apply]) -> None:
    new = Elemwise(node.op.scalar_op, inplace=index).make_node(*node.inputs)
    fgraph.replace(node.outputs[0], new.outputs[0], reason="inplace_elemwise")
    if after:
        fgraph.orderings[new] = after


@register_graph_rewrite("inplace", name="inplace_elemwise", tags=["inplace"])
def make_elemwise_inplace(fgraph: FunctionGraph, log: RewriteLog) -> None:
    """Mark each elementwise node that can write its result over one of its inputs."""
    updates = update_targets(fgraph)
    for node in fgraph.toposort():
        if not isinstance(node.op, Elemwise) or node.op.inplace is not None:
            continue
        out = node.outputs[0]
        for i, var in enumerate(node.inputs):
            if var.type != out.type or isinstance(var, Constant) or var in fgraph.inputs:
                continue
            if isinstance(var, Shared):
                if updates.get(out) is var and _can_destroy_shared(fgraph, var, node):
                    readers = [c for c, _ in fgraph.clients(var) if c is not node]
                    _mark(fgraph, node, i, readers)
                    log.record("inplace_shared_update", node)
                    break
                continue
            if _is_fresh(var) and _sole_reader(fgraph, var, node):
                _mark(fgraph, node, i, [])
                log.record("inplace_elemwise", node)
                break
