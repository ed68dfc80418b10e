"""The rewrite engine: named node rewrites, registered in ordered phases, run to a fixed point.

A rewrite is a function ``(fgraph, node) -> replacements or None``: a list aligned with
``node.outputs`` (``None`` keeps an output) or a dict ``{old_var: new_var}``.  Each phase
runs its rewrites from a work queue: a node is visited once, and re-queued only when
its inputs change or a rewrite creates it, never by a full rescan.
"""
from __future__ import annotations

import time
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from symkeras.graph import config
from symkeras.graph.basic import Apply
from symkeras.graph.fgraph import FunctionGraph

PHASES: Tuple[str, ...] = ("canonicalize", "stabilize", "specialize", "fuse", "inplace")

#: which phases each optimizer preset runs
PRESETS: Dict[str, Tuple[str, ...]] = {
    "fast_run": PHASES,
    "fast_compile": ("canonicalize",),
}

RewriteFn = Callable[[FunctionGraph, Apply], Optional[object]]


@dataclass
class NodeRewriter:
    """A named rewrite of one node, indexed by the op types (or scalar ops) it tracks."""

    name: str
    fn: RewriteFn
    phase: str
    tracks: Tuple = ()
    tags: frozenset = frozenset()

    def __call__(self, fgraph: FunctionGraph, node: Apply):
        return self.fn(fgraph, node)


@dataclass
class GraphRewriter:
    """A rewrite of the whole graph at once (fusion, in-place marking): ``fn(fgraph, log)``."""

    name: str
    fn: Callable
    phase: str
    tags: frozenset = frozenset()


REGISTRY: Dict[str, List[object]] = {phase: [] for phase in PHASES}


def register(phase: str, *tracks, name: Optional[str] = None, tags: Iterable[str] = ()):
    """Decorator: register a node rewrite in `phase`, tracking op classes or scalar ops."""
    if phase not in REGISTRY:
        raise ValueError(f"unknown rewrite phase {phase!r}; phases: {PHASES}")

    def decorate(fn: RewriteFn) -> RewriteFn:
        REGISTRY[phase].append(NodeRewriter(name or fn.__name__, fn, phase, tuple(tracks), frozenset(tags) | {phase}))
        return fn

    return decorate


def register_graph_rewrite(phase: str, name: Optional[str] = None, tags: Iterable[str] = ()):
    """Decorator: register a whole-graph rewrite in `phase`."""

    def decorate(fn):
        REGISTRY[phase].append(GraphRewriter(name or fn.__name__, fn, phase, frozenset(tags) | {phase}))
        return fn

    return decorate


@dataclass
class PhaseStat:
    phase: str
    nodes_before: int
    nodes_after: int
    seconds: float


@dataclass
class RewriteLog:
    """What the optimizer did: how often each rewrite fired, and the node counts per phase."""

    counts: Counter = field(default_factory=Counter)
    phases: List[PhaseStat] = field(default_factory=list)

    def record(self, name: str, node: Apply) -> None:
        self.counts[name] += 1
        if config.debug >= 1:
            print(f"[symkeras rewrite] {name}: {node.op}")

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.phases)

    def __str__(self) -> str:
        lines = ["phase          nodes before  after    time"]
        lines += [f"{p.phase:<14} {p.nodes_before:>12} {p.nodes_after:>6} {p.seconds * 1e3:>6.1f}ms" for p in self.phases]
        lines.append("rewrite                                   fired")
        lines += [f"{name:<40} {n:>6}" for name, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return "\n".join(lines)


class _Worklist:
    """Queue of nodes to visit; graph edits feed it through the FunctionGraph listener hooks."""

    def __init__(self, nodes: Sequence[Apply]):
        self.queue = deque(nodes)
        self.queued = set(nodes)

    def push(self, node: Apply) -> None:
        if node not in self.queued:
            self.queued.add(node)
            self.queue.append(node)

    def pop(self) -> Apply:
        node = self.queue.popleft()
        self.queued.discard(node)
        return node

    def on_import(self, node: Apply) -> None:
        self.push(node)

    def on_change(self, node: Apply, i: int, old, new) -> None:
        self.push(node)


def _tracked(rewriters: List[NodeRewriter]):
    """Index rewrites by op class and by scalar-op name, so each node meets only relevant ones."""
    by_type: Dict[type, List[NodeRewriter]] = {}
    by_scalar: Dict[str, List[NodeRewriter]] = {}
    everywhere: List[NodeRewriter] = []
    for rw in rewriters:
        if not rw.tracks:
            everywhere.append(rw)
        for t in rw.tracks:
            if isinstance(t, type):
                by_type.setdefault(t, []).append(rw)
            else:
                by_scalar.setdefault(t.name, []).append(rw)

    def candidates(node: Apply) -> List[NodeRewriter]:
        found = list(everywhere)
        for cls in type(node.op).__mro__:
            found.extend(by_type.get(cls, ()))
        scalar_op = getattr(node.op, "scalar_op", None)
        if scalar_op is not None:
            found.extend(by_scalar.get(scalar_op.name, ()))
        return found

    return candidates


def apply_replacements(fgraph: FunctionGraph, node: Apply, result, reason: str) -> bool:
    """Carry out what a rewrite returned; True if the graph changed."""
    pairs = list(result.items()) if isinstance(result, dict) else list(zip(node.outputs, result))
    changed = False
    for old, new in pairs:
        if new is None or new is old or old not in fgraph:
            continue
        if new.type != old.type:
            from symkeras.graph.fgraph import check_replacement

            check_replacement(old, new, reason)
        new.name = new.name or old.name
        fgraph.replace(old, new, reason)
        changed = True
    return changed


def run_node_rewrites(fgraph: FunctionGraph, rewriters: List[NodeRewriter], log: RewriteLog, max_use_ratio: float = 8.0) -> None:
    """Apply `rewriters` until none fires, visiting nodes from a work queue."""
    if not rewriters:
        return
    candidates = _tracked(rewriters)
    work = _Worklist(fgraph.toposort())
    fgraph.listeners.append(work)
    budget = max(100, int(max_use_ratio * len(fgraph.apply_nodes)))
    try:
        while work.queue:
            node = work.pop()
            if node not in fgraph.apply_nodes:
                continue
            for rw in candidates(node):
                result = rw(fgraph, node)
                if result is not None and apply_replacements(fgraph, node, result, rw.name):
                    log.record(rw.name, node)
                    budget -= 1
                    break
            if budget <= 0:
                warnings.warn("optimizer: rewrite budget exhausted, a rewrite loop is likely; stopping this phase")
                break
    finally:
        fgraph.listeners.remove(work)


def select(phase: str, include: Sequence[str], exclude: Sequence[str]) -> List[object]:
    """The rewrites of `phase`, minus those excluded by name or tag."""
    excluded = set(exclude)
    return [rw for rw in REGISTRY[phase] if rw.name not in excluded and not (rw.tags & excluded)]


def optimize(fgraph: FunctionGraph, optimizer: str = "fast_run", include: Sequence[str] = (), exclude: Sequence[str] = ()) -> RewriteLog:
    """Run the phases of the `optimizer` preset (plus phases named in `include`) on `fgraph` in place."""
    if optimizer not in PRESETS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {sorted(PRESETS)} or None")
    wanted = set(PRESETS[optimizer]) | (set(include) & set(PHASES))
    log = RewriteLog()
    for phase in PHASES:
        if phase not in wanted or phase in exclude:
            continue
        before, start = len(fgraph.apply_nodes), time.perf_counter()
        chosen = select(phase, include, exclude)
        node_rewriters = [rw for rw in chosen if isinstance(rw, NodeRewriter)]
        run_node_rewrites(fgraph, node_rewriters, log)
        fired = sum(log.counts.values())
        for rw in chosen:
            if isinstance(rw, GraphRewriter):
                rw.fn(fgraph, log)
        if sum(log.counts.values()) != fired:  # the graph rewrites may have exposed new node patterns
            run_node_rewrites(fgraph, node_rewriters, log)
        log.phases.append(PhaseStat(phase, before, len(fgraph.apply_nodes), time.perf_counter() - start))
    return log
