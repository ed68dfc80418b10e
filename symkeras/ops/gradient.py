"""Ops that shape gradients without changing values: `stop_gradient`."""
from __future__ import annotations

from typing import List

import numpy as np

from symkeras.graph.basic import Apply, Op, Variable, as_tensor


class StopGradient(Op):
    """The identity in the forward pass; no gradient flows back through it (Theano's ``disconnected_grad``).

    The optimizer removes it (after `grad` has run), so it costs nothing at run time.
    """

    view_map = {0: [0]}
    differentiable = False

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [x.type])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        return [inputs[0]]

    def grad(self, inputs, output_grads):
        return [None]


def stop_gradient(x) -> Variable:
    """`x`, treated as a constant by `grad`."""
    return StopGradient()(x)
