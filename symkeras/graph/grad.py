"""Reverse-mode differentiation of symbolic graphs: `grad`, `jacobian`, `hessian`.

micrograd's algorithm on a typed graph: walk the nodes between the parameters and the
cost in reverse topological order, ask each op for the gradients of its inputs given
those of its outputs, and sum the contributions each variable receives.
"""
from __future__ import annotations

import warnings
from typing import Dict, List, Optional, Sequence, Union

from symkeras.graph.basic import Apply, Variable, as_tensor, io_toposort
from symkeras.graph.type import format_shape


class DisconnectedInputError(ValueError):
    """Raised when a variable asked for has no path to the cost."""


def grad(
    cost: Optional[Variable],
    wrt: Union[Variable, Sequence[Variable]],
    known_grads: Optional[Dict[Variable, Variable]] = None,
    disconnected_inputs: str = "raise",
    consider_constant: Sequence[Variable] = (),
) -> Union[Variable, List[Variable]]:
    """Symbolic gradient of the scalar `cost` with respect to each of `wrt`.

    `known_grads` seeds gradients of intermediate variables (with or without a cost);
    `disconnected_inputs` is ``'raise'``, ``'warn'`` or ``'ignore'`` (the last two give
    zeros) for a `wrt` that the cost does not depend on; gradients stop at
    `consider_constant`.  Integer and boolean variables carry no gradient.
    """
    single = isinstance(wrt, Variable)
    wrt_list = [wrt] if single else list(wrt)
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"grad: disconnected_inputs must be 'raise', 'warn' or 'ignore', got {disconnected_inputs!r}")
    for w in wrt_list:
        if not isinstance(w, Variable):
            raise TypeError(f"grad: can only differentiate with respect to symbolic variables, got {type(w).__name__}")
        if w.type.is_discrete:
            raise TypeError(f"grad: {w} has the discrete dtype {w.dtype}; integers and booleans have no gradient")
    seeds: Dict[Variable, Variable] = {}
    if cost is not None:
        if cost.ndim != 0:
            raise TypeError(
                f"grad: the cost must be a scalar, got {cost} of shape {format_shape(cost.type.shape)}; "
                f"reduce it first (e.g. cost.sum() or cost.mean())"
            )
        seeds[cost] = as_tensor(1.0, cost.dtype if cost.type.is_float else None)
    for var, g in (known_grads or {}).items():
        seeds[var] = _conform(as_tensor(g, var.dtype), var, "known_grads")
    if not seeds:
        raise ValueError("grad: give a cost or known_grads")

    stop = set(consider_constant)
    order = io_toposort([], list(seeds))
    on_path = _depends_on(order, set(wrt_list), stop)
    contributions: Dict[Variable, List[Variable]] = {v: [g] for v, g in seeds.items()}
    for node in reversed(order):
        if node not in on_path:
            continue
        out_grads = [_total(contributions.get(o)) for o in node.outputs]
        if all(g is None for g in out_grads):
            continue
        in_grads = node.op.L_op(list(node.inputs), list(node.outputs), out_grads)
        if len(in_grads) != len(node.inputs):
            raise ValueError(f"{node.op}.grad returned {len(in_grads)} gradients for {len(node.inputs)} inputs")
        for inp, g in zip(node.inputs, in_grads):
            if g is None or inp.type.is_discrete or inp in stop or not _reaches(inp, on_path, wrt_list):
                continue
            contributions.setdefault(inp, []).append(_conform(as_tensor(g, inp.dtype), inp, str(node.op)))

    results = []
    for w in wrt_list:
        total = _total(contributions.get(w))
        if total is None:
            message = f"grad: the cost does not depend on {w} ({w.dtype} {format_shape(w.type.shape)})"
            if disconnected_inputs == "raise":
                raise DisconnectedInputError(message + "; pass disconnected_inputs='ignore' to get zeros")
            if disconnected_inputs == "warn":
                warnings.warn(message, stacklevel=2)
            from symkeras.ops.elemwise import zeros_like

            total = zeros_like(w)
        results.append(total)
    return results[0] if single else results


def _depends_on(order: List[Apply], wrt: set, stop: set) -> set:
    """The nodes (in `order`) whose outputs depend on some variable of `wrt`, not through `stop`."""
    live_vars = set(wrt)
    live_nodes = set()
    for node in order:
        if any(inp in live_vars and inp not in stop for inp in node.inputs):
            live_nodes.add(node)
            live_vars.update(node.outputs)
    return live_nodes


def _reaches(var: Variable, on_path: set, wrt: List[Variable]) -> bool:
    return var in wrt or (var.owner is not None and var.owner in on_path)


def _total(terms: Optional[List[Variable]]) -> Optional[Variable]:
    """Sum gradient contributions pairwise (a balanced tree keeps the graph shallow)."""
    if not terms:
        return None
    terms = list(terms)
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def _conform(g: Variable, var: Variable, source: str) -> Variable:
    """Check that gradient `g` fits `var` and give it `var`'s dtype."""
    from symkeras.ops.elemwise import cast

    if g.ndim != var.ndim or any(a is not None and b is not None and a != b for a, b in zip(g.type.shape, var.type.shape)):
        raise ValueError(
            f"{source}: gradient of shape {format_shape(g.type.shape)} does not fit {var} "
            f"of shape {format_shape(var.type.shape)}"
        )
    return cast(g, var.dtype) if g.dtype != var.dtype else g


def _static_length(v: Variable, what: str) -> int:
    if v.ndim != 1 or v.type.shape[0] is None:
        raise ValueError(f"{what}: needs a vector of static length, got {v} of shape {format_shape(v.type.shape)}")
    return v.type.shape[0]


def jacobian(expression: Variable, wrt: Variable, disconnected_inputs: str = "raise") -> Variable:
    """The Jacobian ``d expression[i] / d wrt`` stacked along a new first axis (small, static sizes)."""
    from symkeras.ops.shape import stack

    expression = as_tensor(expression)
    if expression.ndim == 0:
        return grad(expression, wrt, disconnected_inputs=disconnected_inputs)
    n = _static_length(expression, "jacobian")
    return stack([grad(expression[i], wrt, disconnected_inputs=disconnected_inputs) for i in range(n)])


def hessian(cost: Variable, wrt: Variable, disconnected_inputs: str = "raise") -> Variable:
    """The Hessian of the scalar `cost` with respect to the vector `wrt`."""
    _static_length(wrt, "hessian")
    return jacobian(grad(cost, wrt, disconnected_inputs=disconnected_inputs), wrt, disconnected_inputs)
