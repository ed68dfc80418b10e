"""Compiled functions, gradients and evaluation: `function`, `gradients`, `stop_gradient`, `eval`."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from symkeras import graph as G
from symkeras import ops
from symkeras.backend.errors import backend_function
from symkeras.graph import Constant, Shared, Variable, as_tensor
from symkeras.graph.basic import ancestors

Tensor = Variable

#: keyword arguments `function` passes on to `symkeras.graph.function`
COMPILE_OPTIONS = ("mode", "optimizer", "givens", "include", "exclude", "profile")


def _update_pairs(updates) -> List[tuple]:
    """Keras updates — pairs, lists of pairs (nested), or a dict — as a list of pairs, one per variable.

    A variable updated twice keeps its first update, as Keras's Theano backend does.
    """
    pairs: Dict[Shared, Variable] = {}

    def visit(update) -> None:
        if isinstance(update, tuple) and len(update) == 2 and isinstance(update[0], Shared):
            pairs.setdefault(update[0], update[1])
        elif isinstance(update, (list, tuple)):
            for item in update:
                visit(item)
        else:
            raise TypeError(f"K.function: an update must be a (variable, new value) pair, got {update!r}")

    visit(list(updates.items()) if isinstance(updates, dict) else list(updates or []))
    return list(pairs.items())


class Function:
    """A compiled backend function: call it with a list of arrays, get a list of arrays.

    # Arguments
        inputs: list of placeholder tensors (the learning phase included, when used).
        outputs: list of output tensors.
        updates: list of update pairs, applied at every call.
        name: optional name.
        **kwargs: ``mode``, ``optimizer``, ``givens``, ``include``, ``exclude`` of
            `symkeras.graph.function`.
    """

    def __init__(self, inputs: Sequence[Tensor], outputs: Sequence[Tensor], updates=None,
                 name: Optional[str] = None, **kwargs):
        unknown = sorted(set(kwargs) - set(COMPILE_OPTIONS))
        if unknown:
            raise ValueError(f'Invalid argument "{unknown[0]}" passed to K.function; it accepts {COMPILE_OPTIONS}')
        self.inputs = list(inputs)
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self.updates = _update_pairs(updates)
        self.function = G.function(self.inputs, self.outputs, updates=self.updates, name=name, **kwargs)
        self._dtypes = [x.dtype for x in self.inputs]

    def __call__(self, inputs: Sequence) -> List[np.ndarray]:
        if not isinstance(inputs, (list, tuple)):
            raise TypeError(f"K.function: call it with a list of arrays, one per input, got {type(inputs).__name__}")
        if len(inputs) != len(self.inputs):
            raise ValueError(f"K.function: expected {len(self.inputs)} input arrays ({self.inputs}), got {len(inputs)}")
        # values are cast to the inputs' dtypes, as Keras's allow_input_downcast does
        return self.function(*[np.asarray(v, dtype=d) for v, d in zip(inputs, self._dtypes)])


@backend_function
def function(inputs: Sequence[Tensor], outputs: Sequence[Tensor], updates=None, **kwargs) -> Function:
    """Instantiates a Keras function.

    # Arguments
        inputs: List of placeholder tensors.
        outputs: List of output tensors.
        updates: List of update ops: ``(variable, new value)`` pairs (or lists of them).
        **kwargs: ``name``, and the ``mode`` (``'py'`` or ``'numba'``), ``optimizer``,
            ``givens``, ``include`` and ``exclude`` of `symkeras.graph.function`.

    # Returns
        A callable taking a list of numpy arrays and returning a list of numpy arrays.

    # Raises
        ValueError: if invalid kwargs are passed in.
    """
    return Function(inputs, outputs, updates=updates, **kwargs)


@backend_function
def gradients(loss: Tensor, variables: Sequence[Tensor]) -> List[Optional[Tensor]]:
    """Returns the gradients of `loss` w.r.t. `variables`.

    A loss with several elements is summed first.  A variable the loss does not depend on
    (or an integer one) gets None, as in the TensorFlow backend.

    # Arguments
        loss: Scalar tensor to minimize.
        variables: List of variables.

    # Returns
        A gradients tensor (or None) per variable.
    """
    loss = as_tensor(loss)
    if loss.ndim:
        loss = ops.sum(loss)
    reachable = set(ancestors([loss]))
    connected = [v for v in variables if v in reachable and not v.type.is_discrete]
    grads = dict(zip(connected, G.grad(loss, connected, disconnected_inputs="ignore"))) if connected else {}
    return [grads.get(v) for v in variables]


def stop_gradient(variables: Union[Tensor, Sequence[Tensor]]) -> Union[Tensor, List[Tensor]]:
    """Returns `variables` but with zero gradient w.r.t. every other variable.

    # Arguments
        variables: tensor or list of tensors to consider constant with respect to any other variable.

    # Returns
        A single tensor or a list of tensors (depending on the passed argument).
    """
    if isinstance(variables, (list, tuple)):
        return [ops.stop_gradient(v) for v in variables]
    return ops.stop_gradient(variables)


@backend_function
def eval(x) -> np.ndarray:
    """Evaluates the value of a variable or of an expression that needs no placeholder.

    # Arguments
        x: A variable, constant or tensor.

    # Returns
        A numpy array.
    """
    if isinstance(x, Shared):
        return x.get_value()
    if isinstance(x, Constant):
        return x.data.copy()
    return G.function([], [as_tensor(x)])()[0]
