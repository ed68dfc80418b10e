"""`Composite`: a fused chain of scalar ops, mapped over tensors by `Elemwise` as one kernel.

The fusion rewrite turns a cluster of elementwise nodes into ``Elemwise(Composite)``.  The
composite keeps the cluster as a small program in static single assignment form, so
the "py" mode evaluates it step by step (bit-identical to the unfused graph), the
Numba linker emits it as statements inside one loop, and its gradient is that of the
expanded tensor graph.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

from symkeras.ops.scalar import ScalarOp

#: one step of a program: (scalar op, argument slots, result dtype); slots < nin are inputs
Step = Tuple[ScalarOp, Tuple[int, ...], str]


class Composite(ScalarOp):
    """A scalar function of `nin` arguments defined by a program of scalar-op steps."""

    __props__ = ("name", "nin", "program")

    def __init__(self, nin: int, program: Sequence[Step]):
        self.program: Tuple[Step, ...] = tuple(program)
        super().__init__("composite", nin, self._run, self._inline, self._expanded_grad, register=False)
        helpers = []
        for op, _, _ in self.program:
            helpers.extend(h for h in op.helpers if h not in helpers)
        self.helpers = tuple(helpers)

    def __str__(self) -> str:
        return "Composite{" + "; ".join(self.step_strings()) + "}"

    __repr__ = __str__

    def step_strings(self) -> List[str]:
        """The program as ``t3 = tanh(i0)`` lines, for printing."""
        name = lambda slot: f"i{slot}" if slot < self.nin else f"t{slot}"  # noqa: E731
        return [f"{name(self.nin + k)} = {op}({', '.join(map(name, args))})" for k, (op, args, _) in enumerate(self.program)]

    @property
    def n_ops(self) -> int:
        return len(self.program)

    def _run(self, *arrays: np.ndarray) -> np.ndarray:
        values = list(arrays)
        for op, args, dtype in self.program:
            values.append(np.asarray(op.impl(*[values[a] for a in args]), dtype=dtype))
        return values[-1]

    def _inline(self, *args: str) -> str:
        """One expression for the whole program (fine for trees; the linker emits statements instead)."""
        exprs = list(args)
        for op, slots, _ in self.program:
            exprs.append(op.numba_expr(*[exprs[s] for s in slots]))
        return exprs[-1]

    def output_dtype(self, *dtypes: str) -> str:
        return self.program[-1][2]

    def expand(self, inputs: Sequence) -> object:
        """The program rebuilt as a graph of tensor elementwise ops on `inputs`."""
        from symkeras.ops.elemwise import Elemwise, cast

        values = list(inputs)
        for op, args, dtype in self.program:
            out = Elemwise(op)(*[values[a] for a in args])
            values.append(cast(out, dtype))
        return values[-1]

    def _expanded_grad(self, inputs, output, output_grad):
        from symkeras.graph.grad import grad

        expanded = self.expand(inputs)
        wrt = [x for x in inputs if not x.type.is_discrete]
        grads = dict(zip(wrt, grad(None, wrt, known_grads={expanded: output_grad}, disconnected_inputs="ignore")))
        return [grads.get(x) for x in inputs]
