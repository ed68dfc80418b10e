"""Per-op run-time profiles of compiled functions, printed in the spirit of Theano's profiler."""
from __future__ import annotations

import time
from collections import defaultdict
from typing import Callable, Dict, List, Sequence

from symkeras.graph.basic import Apply


class Profile:
    """Calls and time per op (nodes of equal ops add up), collected while a function runs."""

    def __init__(self):
        self.calls: Dict[str, int] = defaultdict(int)
        self.seconds: Dict[str, float] = defaultdict(float)
        self.function_calls = 0
        #: time of each node's first call, which includes compiling it (kept out of the table)
        self.first_call_seconds = 0.0
        self._seen: set = set()

    def record(self, node: Apply, seconds: float) -> None:
        if node not in self._seen:
            self._seen.add(node)
            self.first_call_seconds += seconds
            return
        key = str(node.op)
        self.calls[key] += 1
        self.seconds[key] += seconds

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def table(self, limit: int = 30) -> str:
        """A table of the ops taking the most time: share, cumulative share, seconds, calls, op."""
        total = self.total or 1.0
        rows = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:limit]
        lines = [f"function calls: {self.function_calls} (the first, with compilation, took "
                 f"{self.first_call_seconds:.3f} s and is not counted), time in ops: {self.total:.6f} s",
                 " <% time> <sum %>  <time (s)>  <calls>  <op>"]
        running = 0.0
        for op, seconds in rows:
            running += seconds
            lines.append(f"  {100 * seconds / total:6.1f}% {100 * running / total:6.1f}%  {seconds:10.6f}  "
                         f"{self.calls[op]:7d}  {op}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def timed_node_loop(nodes: Sequence[Apply], runners: Sequence[Callable], fgraph, constants: Dict,
                    profile: Profile) -> Callable[[List], List]:
    """A thunk that runs node k with ``runners[k](*input values)`` and records each call's time."""
    inputs, outputs, shared = list(fgraph.inputs), list(fgraph.outputs), fgraph.shared_variables()

    def thunk(values: List) -> List:
        storage = dict(constants)
        storage.update(zip(inputs, values))
        storage.update((s, s.host_value()) for s in shared)
        for node, run in zip(nodes, runners):
            args = [storage[v] for v in node.inputs]
            start = time.perf_counter()
            results = run(*args)
            profile.record(node, time.perf_counter() - start)
            storage.update(zip(node.outputs, results))
        profile.function_calls += 1
        return [storage[o] for o in outputs]

    return thunk
