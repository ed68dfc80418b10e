"""`FunctionGraph`: a private copy of a computation, kept in a networkx MultiDiGraph, that rewrites edit.

The graph between `inputs` and `outputs` is cloned (leaves — inputs, constants and
shared state — are kept), so rewriting never touches the user's variables.  Nodes of
the networkx graph are `Apply` nodes and leaf variables; an edge ``producer → consumer``
carries ``out_idx`` and ``in_idx`` (a multigraph, since ``x * x`` uses one producer twice).
Python dicts of clients serve the hot path; networkx serves analyses and export.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import networkx as nx

from symkeras.graph.basic import Apply, Constant, Shared, Variable, io_toposort
from symkeras.graph.type import format_shape

#: a client is (apply node, input index), or ("output", output index) for a graph output
Client = Tuple[Union[Apply, str], int]


class FunctionGraph:
    """The graph a compiled function runs: inputs, outputs, and every Apply between them."""

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable], clone: bool = True):
        self.inputs: List[Variable] = list(inputs)
        self.nx = nx.MultiDiGraph()
        self.apply_nodes: set = set()
        self._clients: Dict[Variable, List[Client]] = {}
        #: callbacks told of graph edits: objects with optional on_import(node), on_prune(node), on_change(node, i, old, new)
        self.listeners: List[object] = []
        #: node -> nodes that must run before it (set by the in-place rewrites)
        self.orderings: Dict[Apply, List[Apply]] = {}
        #: the shared variables whose new values are the last outputs (set by `function`)
        self.updated_shared: List[Shared] = []
        if clone:
            memo = {v: v for v in self.inputs}
            outputs = clone_graph(self.inputs, outputs, memo)
        self.outputs: List[Variable] = []
        for var in self.inputs:
            self._add_var(var)
        for i, out in enumerate(outputs):
            self.import_var(out)
            self.outputs.append(out)
            self._clients[out].append(("output", i))

    # -- queries ------------------------------------------------------------------------------
    def clients(self, var: Variable) -> List[Client]:
        """Who uses `var`: ``(node, input index)`` pairs, ``("output", i)`` for graph outputs."""
        return self._clients.get(var, [])

    def toposort(self) -> List[Apply]:
        """The Apply nodes in a deterministic dependency order (depends only on the graph's structure)."""
        live = {n: [d for d in deps if d in self.apply_nodes] for n, deps in self.orderings.items() if n in self.apply_nodes}
        return io_toposort(self.inputs, self.outputs, orderings=live)

    def variables(self) -> List[Variable]:
        return list(self._clients)

    def leaves(self) -> List[Variable]:
        """Inputs, constants and shared variables of the graph."""
        return [v for v in self._clients if v.owner is None or v in self.inputs]

    def shared_variables(self) -> List[Shared]:
        return sorted((v for v in self._clients if isinstance(v, Shared)), key=lambda v: v.id)

    def __contains__(self, item) -> bool:
        return item in self.apply_nodes if isinstance(item, Apply) else item in self._clients

    def alias_root(self, var: Variable) -> Variable:
        """The variable whose buffer `var` may share: followed back through views and in-place outputs."""
        while var.owner is not None and var not in self.inputs:
            op, k = var.owner.op, var.index
            source = op.view_map.get(k) or op.destroy_map.get(k)
            if not source:
                break
            var = var.owner.inputs[source[0]]
        return var

    def to_networkx(self) -> nx.MultiDiGraph:
        """A copy of the graph as a networkx MultiDiGraph (nodes: Apply and leaf variables)."""
        return self.nx.copy()

    # -- edits --------------------------------------------------------------------------------
    def _add_var(self, var: Variable) -> None:
        if var not in self._clients:
            self._clients[var] = []
            if var.owner is None or var in self.inputs:
                kind = "input" if var in self.inputs else "shared" if isinstance(var, Shared) else (
                    "constant" if isinstance(var, Constant) else "free")
                self.nx.add_node(var, kind=kind)

    def _producer(self, var: Variable):
        return var if var.owner is None or var in self.inputs else var.owner

    def import_var(self, var: Variable) -> None:
        """Add `var` and every node that computes it (and is not yet in the graph)."""
        for node in io_toposort(self.inputs, [var], known=self.apply_nodes):
            self._import_node(node)
        self._add_var(var)

    def _import_node(self, node: Apply) -> None:
        self.apply_nodes.add(node)
        self.nx.add_node(node, kind="apply")
        for out in node.outputs:
            self._add_var(out)
        for i, inp in enumerate(node.inputs):
            self._add_var(inp)
            self._clients[inp].append((node, i))
            self.nx.add_edge(self._producer(inp), node, out_idx=inp.index, in_idx=i)
        for listener in self.listeners:
            getattr(listener, "on_import", _ignore)(node)

    def replace(self, old: Variable, new: Variable, reason: str = "") -> None:
        """Make every client of `old` use `new` instead; `new`'s type must be compatible."""
        if old is new:
            return
        check_replacement(old, new, reason)
        self.import_var(new)
        for client, i in list(self.clients(old)):
            if client == "output":
                self.outputs[i] = new
            else:
                self._remove_edge(old, client, i)
                client.inputs[i] = new
                self.nx.add_edge(self._producer(new), client, out_idx=new.index, in_idx=i)
                for listener in self.listeners:
                    getattr(listener, "on_change", _ignore)(client, i, old, new)
            self._clients[new].append((client, i))
        self._clients[old] = []
        self.prune(old)

    def _remove_edge(self, var: Variable, client: Apply, i: int) -> None:
        self._clients[var] = [c for c in self._clients[var] if not (c[0] is client and c[1] == i)]
        producer = self._producer(var)
        for key, data in list(self.nx.get_edge_data(producer, client, default={}).items()):
            if data["in_idx"] == i:
                self.nx.remove_edge(producer, client, key)
                break

    def prune(self, var: Variable) -> None:
        """Remove the node computing `var` if none of its outputs is used, and so on upstream."""
        stack = [var]
        while stack:
            v = stack.pop()
            node = v.owner
            if node is None or node not in self.apply_nodes or v in self.inputs:
                if v.owner is None and not self.clients(v) and v not in self.inputs and v in self._clients:
                    del self._clients[v]
                    self.nx.remove_node(v)
                continue
            if any(self.clients(o) for o in node.outputs):
                continue
            self.apply_nodes.discard(node)
            self.nx.remove_node(node)
            for o in node.outputs:
                self._clients.pop(o, None)
            for i, inp in enumerate(node.inputs):
                self._clients[inp] = [c for c in self._clients.get(inp, []) if c[0] is not node]
                stack.append(inp)
            for listener in self.listeners:
                getattr(listener, "on_prune", _ignore)(node)

    def __repr__(self) -> str:
        return f"FunctionGraph({self.inputs} -> {self.outputs}, {len(self.apply_nodes)} nodes)"


def _ignore(*args) -> None:
    return None


def check_replacement(old: Variable, new: Variable, reason: str = "") -> None:
    """A replacement keeps dtype and rank, and may only refine (never contradict) static dims."""
    a, b = old.type, new.type
    ok = a.dtype == b.dtype and a.ndim == b.ndim and all(
        x is None or y is None or x == y for x, y in zip(a.shape, b.shape)
    )
    if not ok:
        raise TypeError(
            f"cannot replace {old} ({a.dtype} {format_shape(a.shape)}) by {new} ({b.dtype} {format_shape(b.shape)})"
            + (f" in rewrite {reason}" if reason else "")
        )


def clone_graph(inputs: Sequence[Variable], outputs: Sequence[Variable], memo: Optional[Dict] = None) -> List[Variable]:
    """Copy the Apply nodes between `inputs` and `outputs`; leaves are shared, `memo` maps old to new."""
    memo = {} if memo is None else memo
    for node in io_toposort(inputs, outputs):
        new_inputs = [memo.get(v, v) for v in node.inputs]
        new = Apply(node.op, new_inputs, [o.type for o in node.outputs])
        new.tag.update(node.tag)
        for old_out, new_out in zip(node.outputs, new.outputs):
            new_out.name = old_out.name
            new_out.tag.update(old_out.tag)
            memo[old_out] = new_out
    return [memo.get(o, o) for o in outputs]
