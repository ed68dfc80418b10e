"""`function`: turn symbolic inputs and outputs into a callable that runs on numpy arrays."""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras.graph import config
from symkeras.graph.basic import Constant, Shared, Variable, as_tensor, graph_inputs
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.profiling import Profile
from symkeras.graph.type import format_shape


class MissingInputError(ValueError):
    """An output depends on a symbolic input that was not passed to `function`."""


Updates = Union[Sequence[Tuple[Shared, Variable]], Dict[Shared, Variable]]


def function(
    inputs: Sequence[Variable],
    outputs: Union[Variable, Sequence[Variable], None] = None,
    updates: Optional[Updates] = None,
    givens: Optional[Union[Sequence[Tuple[Variable, Variable]], Dict[Variable, Variable]]] = None,
    mode: Optional[str] = None,
    optimizer: Optional[str] = "fast_run",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    name: Optional[str] = None,
    profile: bool = False,
) -> "Function":
    """Compile a callable computing `outputs` from `inputs` and applying `updates` to shared state.

    `mode` picks the linker: ``'py'`` runs each op's numpy reference, ``'numba'`` compiles
    the graph to one Numba function.  `optimizer` is ``'fast_run'`` (every rewrite phase),
    ``'fast_compile'`` (canonicalize only) or ``None``; `include`/`exclude` add or drop
    rewrites by name or tag.  Every `Shared` the graph uses that has a ``default_update``
    (random generator state) is updated too unless `updates` names it.  ``profile=True``
    times every node (in "numba" mode each node is then compiled separately); see
    `Function.profile`.
    """
    inputs = list(inputs)
    for i, inp in enumerate(inputs):
        if not isinstance(inp, Variable) or isinstance(inp, (Constant, Shared)):
            raise TypeError(f"function: input {i} must be a symbolic variable (not a constant or shared), got {inp!r}")
    single = isinstance(outputs, Variable)
    outputs = [] if outputs is None else [outputs] if single else [as_tensor(o) for o in outputs]
    update_pairs = _collect_updates(updates, outputs)
    fgraph = FunctionGraph(inputs, outputs + [u for _, u in update_pairs])
    fgraph.updated_shared = [s for s, _ in update_pairs]
    for old, new in _pairs(givens):
        fgraph.replace(old, _fit(as_tensor(new, old.dtype), old, "givens"), reason="givens")
    _check_inputs(fgraph, inputs)
    rewrite_log = None
    if optimizer is not None:
        from symkeras.graph.rewrite import optimize

        rewrite_log = optimize(fgraph, optimizer, include=include, exclude=exclude)
    mode = mode or config.default_mode
    from symkeras.graph.linker import get_linker

    stats = Profile() if profile else None
    thunk = get_linker(mode)(fgraph, n_outputs=len(outputs), profile=stats)
    f = Function(inputs, outputs, single, [s for s, _ in update_pairs], fgraph, thunk, mode, rewrite_log, name)
    f.stats = stats
    return f


def outputs_to_copy(fgraph: FunctionGraph, n_outputs: int) -> List[int]:
    """Results that may share a buffer with shared storage another update could change: copy them.

    An output that is (a view of) a shared variable would change under the caller's feet;
    an update that aliases a shared variable other than its own would tie two of them.
    Decided once from the graph, so calls pay nothing for it.
    """
    copies = []
    for k, out in enumerate(fgraph.outputs):
        root = fgraph.alias_root(out)
        own = fgraph.updated_shared[k - n_outputs] if k >= n_outputs else None
        if isinstance(root, Shared) and root is not own:
            copies.append(k)
    return copies


class Function:
    """A compiled computation: call it with numpy arrays (positionally or by input name)."""

    def __init__(self, inputs, outputs, single, updated, fgraph, thunk, mode, rewrite_log, name):
        self.inputs: List[Variable] = inputs
        self.outputs: List[Variable] = outputs
        self.updated_shared: List[Shared] = updated
        self.fgraph: FunctionGraph = fgraph
        self.thunk = thunk
        self.mode = mode
        self.rewrite_log = rewrite_log
        self.name = name
        self._single = single
        self._n_out = len(outputs)
        self._by_name = {v.name: i for i, v in enumerate(inputs) if v.name}
        self._copies = outputs_to_copy(fgraph, self._n_out)

    def _arguments(self, args, kwargs) -> List[np.ndarray]:
        values = list(args) + [None] * (len(self.inputs) - len(args))
        if len(args) > len(self.inputs):
            raise TypeError(f"{self._what()}: expected {len(self.inputs)} arguments, got {len(args)}")
        for key, value in kwargs.items():
            if key not in self._by_name:
                raise TypeError(f"{self._what()}: no input named {key!r} (inputs: {list(self._by_name)})")
            values[self._by_name[key]] = value
        out = []
        for i, (var, value) in enumerate(zip(self.inputs, values)):
            label = f"{self._what()} input {i}" + (f" ({var.name})" if var.name else "")
            if value is None:
                raise TypeError(f"{label} was not given")
            out.append(var.type.filter(value, label))
        return out

    def _what(self) -> str:
        return f"function {self.name}" if self.name else "function"

    def __call__(self, *args, **kwargs):
        results = self.thunk(self._arguments(args, kwargs))
        for k in self._copies:
            results[k] = results[k].copy()
        for shared, value in zip(self.updated_shared, results[self._n_out:]):
            shared.container[0] = value
        outputs = results[: self._n_out]
        if self._single:
            return outputs[0]
        return outputs

    def profile(self, file=None) -> str:
        """Print (and return) the per-op time table; the function must be compiled with ``profile=True``."""
        if self.stats is None:
            raise ValueError(f"{self._what()} was compiled without profiling; pass profile=True to function()")
        text = self.stats.table()
        print(text, file=file)
        return text

    def __repr__(self) -> str:
        return f"Function({self.inputs} -> {self.outputs}, mode={self.mode!r}, {len(self.fgraph.apply_nodes)} nodes)"


def _pairs(mapping) -> List[Tuple]:
    if mapping is None:
        return []
    return list(mapping.items()) if isinstance(mapping, dict) else list(mapping)


def _fit(new: Variable, old: Variable, what: str) -> Variable:
    """Cast `new` to `old`'s dtype where that is safe; otherwise say which variable disagrees."""
    from symkeras.ops.elemwise import cast

    if new.dtype != old.dtype:
        if not np.can_cast(new.dtype, old.dtype, "same_kind"):
            raise TypeError(f"{what}: {old} has dtype {old.dtype}, but its new value has dtype {new.dtype}")
        new = cast(new, old.dtype)
    if new.ndim != old.ndim or any(a is not None and b is not None and a != b for a, b in zip(old.type.shape, new.type.shape)):
        raise ValueError(
            f"{what}: {old} has shape {format_shape(old.type.shape)}, "
            f"but its new value has shape {format_shape(new.type.shape)}"
        )
    return new


def _collect_updates(updates: Optional[Updates], outputs: List[Variable]) -> List[Tuple[Shared, Variable]]:
    """Explicit updates, then the default updates of every shared variable the graph reaches."""
    pairs: "OrderedDict[Shared, Variable]" = OrderedDict()
    for shared, value in _pairs(updates):
        if not isinstance(shared, Shared):
            raise TypeError(f"updates: {shared!r} is not a shared variable")
        if shared in pairs:
            raise ValueError(f"updates: {shared} is updated twice")
        pairs[shared] = _fit(as_tensor(value, shared.dtype), shared, f"update of {shared}")
    frontier = outputs + list(pairs.values())
    while frontier:
        found = [v for v in graph_inputs(frontier) if isinstance(v, Shared) and v.default_update is not None and v not in pairs]
        frontier = []
        for shared in found:
            pairs[shared] = _fit(shared.default_update, shared, f"default update of {shared}")
            frontier.append(pairs[shared])
    return list(pairs.items())


def _check_inputs(fgraph: FunctionGraph, inputs: List[Variable]) -> None:
    given = set(inputs)
    for leaf in fgraph.leaves():
        if not isinstance(leaf, (Constant, Shared)) and leaf not in given:
            raise MissingInputError(
                f"function: an output depends on {leaf} ({leaf.dtype} {format_shape(leaf.type.shape)}), "
                f"which is not among the inputs {inputs}"
            )
