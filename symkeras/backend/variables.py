"""Tensors and state: placeholders, variables, constants, their values and static facts, updates, uids."""
from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import graph as G
from symkeras import ops
from symkeras.backend.common import floatx
from symkeras.backend.errors import backend_function
from symkeras.graph import Shared, Variable

Tensor = Variable
Shape = Tuple[Optional[int], ...]
#: what a Keras update is: a (variable, new value) pair, consumed by `function`
Update = Tuple[Shared, Any]

_uids: Dict[str, int] = defaultdict(int)


def _mark(x: Variable, keras_shape: Shape) -> Variable:
    """Set the attributes Keras expects on tensors it did not get from a layer."""
    x._keras_shape = tuple(keras_shape)
    x._uses_learning_phase = False
    return x


def placeholder(shape: Optional[Sequence[Optional[int]]] = None, ndim: Optional[int] = None,
                dtype: Optional[str] = None, sparse: bool = False, name: Optional[str] = None) -> Tensor:
    """Instantiates a placeholder tensor: a symbolic input fed when a `function` is called.

    # Arguments
        shape: shape of the placeholder (ints, `None` for unknown sizes such as the batch).
        ndim: number of axes, all of unknown size, when `shape` is not given.
        dtype: placeholder type (default `floatx()`).
        sparse: must be False (symkeras has no sparse tensors).
        name: optional name.

    # Returns
        A tensor with `_keras_shape` set to `shape`.

    # Raises
        ValueError: when neither `shape` nor `ndim` is given, or `sparse` is True.
    """
    if sparse:
        raise ValueError("K.placeholder: sparse placeholders are not supported by symkeras; feed dense arrays")
    if shape is None:
        if ndim is None:
            raise ValueError("K.placeholder: specify either a shape or ndim value")
        shape = (None,) * int(ndim)
    x = G.tensor(dtype or floatx(), tuple(shape), name)
    x._is_placeholder = True
    return _mark(x, shape)


def is_placeholder(x) -> bool:
    """Whether `x` was made by `placeholder`.

    # Arguments
        x: anything.

    # Returns
        A bool.
    """
    return bool(getattr(x, "_is_placeholder", False))


def variable(value, dtype: Optional[str] = None, name: Optional[str] = None, constraint=None) -> Shared:
    """Instantiates a variable: persistent state (weights, optimizer slots) initialised to `value`.

    # Arguments
        value: numpy array (or anything numpy turns into one), the initial value.
        dtype: dtype of the variable (default `floatx()`).
        name: optional name.
        constraint: optional projection function applied after an optimizer update.

    # Returns
        A variable (a `Shared`) with `_keras_shape` and `constraint` attributes.

    # Example
    ```python
        >>> kvar = K.variable(np.array([[1, 2], [3, 4]]), dtype='float64', name='example_var')
        >>> K.eval(kvar)
        array([[1., 2.], [3., 4.]])
    ```
    """
    array = np.asarray(value, dtype=dtype or floatx())
    v = G.shared(array, name=name)
    v.constraint = constraint
    return _mark(v, array.shape)


@backend_function
def constant(value, dtype: Optional[str] = None, shape: Optional[Sequence[int]] = None,
             name: Optional[str] = None) -> Tensor:
    """Creates a constant tensor.

    # Arguments
        value: a number or a numpy array (or list).
        dtype: the tensor's type (default `floatx()`).
        shape: optional shape; `value` is broadcast to it (a scalar fills it).
        name: optional name.

    # Returns
        A constant tensor.
    """
    array = np.asarray(value, dtype=dtype or floatx())
    if shape is not None:
        array = np.broadcast_to(array, tuple(shape))
    return _mark(G.constant(array, name=name), array.shape)


def zeros(shape: Union[int, Sequence[int]], dtype: Optional[str] = None, name: Optional[str] = None) -> Shared:
    """A variable filled with zeros.

    # Arguments
        shape: tuple of ints.
        dtype: default `floatx()`.
        name: optional name.

    # Returns
        A variable.
    """
    return variable(np.zeros(shape), dtype, name)


def ones(shape: Union[int, Sequence[int]], dtype: Optional[str] = None, name: Optional[str] = None) -> Shared:
    """A variable filled with ones.

    # Arguments
        shape: tuple of ints.
        dtype: default `floatx()`.
        name: optional name.

    # Returns
        A variable.
    """
    return variable(np.ones(shape), dtype, name)


def eye(size: int, dtype: Optional[str] = None, name: Optional[str] = None) -> Shared:
    """A variable holding the `size` x `size` identity matrix.

    # Arguments
        size: number of rows and columns.
        dtype: default `floatx()`.
        name: optional name.

    # Returns
        A variable.
    """
    return variable(np.eye(size), dtype, name)


@backend_function
def zeros_like(x, dtype: Optional[str] = None, name: Optional[str] = None) -> Tensor:
    """A tensor of zeros of the shape of `x`.

    # Arguments
        x: tensor or variable.
        dtype: default: the dtype of `x`.
        name: unused (graph nodes are anonymous).

    # Returns
        A tensor.
    """
    return ops.zeros_like(x, dtype)


@backend_function
def ones_like(x, dtype: Optional[str] = None, name: Optional[str] = None) -> Tensor:
    """A tensor of ones of the shape of `x`.

    # Arguments
        x: tensor or variable.
        dtype: default: the dtype of `x`.
        name: unused (graph nodes are anonymous).

    # Returns
        A tensor.
    """
    return ops.ones_like(x, dtype)


def identity(x, name: Optional[str] = None) -> Tensor:
    """A new tensor with the content of `x` (a distinct node, so Keras can give it its own history).

    # Arguments
        x: tensor or variable.
        name: optional name.

    # Returns
        A tensor of the same shape, type and content.
    """
    out = ops.getitem(x, Ellipsis)
    out.name = name
    return out


def is_tensor(x) -> bool:
    """Whether `x` is a symbolic tensor (a placeholder, variable, constant or computed tensor).

    # Arguments
        x: anything.

    # Returns
        A bool.
    """
    return isinstance(x, Variable)


def is_keras_tensor(x) -> bool:
    """Whether `x` is a Keras tensor: one produced by a Keras layer or `Input` (it has a Keras history).

    # Arguments
        x: a tensor.

    # Returns
        A bool.

    # Raises
        ValueError: if `x` is not a symbolic tensor.
    """
    if not is_tensor(x):
        raise ValueError(f"K.is_keras_tensor: unexpectedly found an instance of type {type(x)}; "
                         f"expected a symbolic tensor instance")
    return hasattr(x, "_keras_history")


def is_sparse(tensor) -> bool:
    """Whether `tensor` is sparse: always False (symkeras has dense tensors only).

    # Arguments
        tensor: a tensor.

    # Returns
        False.
    """
    return False


def to_dense(tensor) -> Tensor:
    """The dense form of `tensor`: the tensor itself (symkeras has dense tensors only).

    # Arguments
        tensor: a tensor.

    # Returns
        `tensor`.
    """
    return tensor


def int_shape(x) -> Shape:
    """The static shape of a tensor or variable, as a tuple of ints and `None`.

    # Arguments
        x: tensor, variable or numpy array.

    # Returns
        `x._keras_shape` when Keras recorded it, else the shape from the tensor's type.
    """
    if hasattr(x, "_keras_shape"):
        return x._keras_shape
    if isinstance(x, Variable):
        return x.type.shape
    return tuple(np.shape(x))


def ndim(x) -> int:
    """The number of axes of a tensor, variable or numpy array.

    # Arguments
        x: tensor, variable or numpy array.

    # Returns
        An int.
    """
    return x.ndim if isinstance(x, Variable) else np.ndim(x)


def dtype(x) -> str:
    """The dtype of a tensor or variable, as a string (``'float32'``, ``'int64'``, ...).

    # Arguments
        x: tensor, variable or numpy array.

    # Returns
        A string.
    """
    return x.dtype if isinstance(x, Variable) else np.asarray(x).dtype.name


def shape(x) -> Tensor:
    """The symbolic shape of a tensor (known when the function runs), an int64 vector.

    # Arguments
        x: a tensor.

    # Returns
        A tensor; index it (``K.shape(x)[0]``) for one dimension.
    """
    return G.as_tensor(x).shape


def count_params(x) -> int:
    """The number of scalars in a variable.

    # Arguments
        x: a variable.

    # Returns
        An int.
    """
    return int(np.prod(int_shape(x), dtype=np.int64))


def get_value(x) -> np.ndarray:
    """The value of a variable, as a numpy array (a copy).

    # Arguments
        x: a variable.

    # Returns
        A numpy array.

    # Raises
        TypeError: if `x` is not a variable (use `eval` for expressions).
    """
    if not isinstance(x, Shared):
        raise TypeError(f"K.get_value: {x!r} is not a variable; use K.eval() for an expression")
    return x.get_value()


def batch_get_value(ops: Sequence[Shared]) -> List[np.ndarray]:
    """The values of several variables.

    # Arguments
        ops: list of variables.

    # Returns
        A list of numpy arrays.
    """
    return [get_value(x) for x in ops]


def set_value(x: Shared, value) -> None:
    """Sets the value of a variable from a numpy array (cast to the variable's dtype).

    # Arguments
        x: a variable.
        value: a numpy array of the variable's shape.

    # Raises
        ValueError: if the shape differs from the variable's.
    """
    if not isinstance(x, Shared):
        raise TypeError(f"K.set_value: {x!r} is not a variable")
    x.set_value(np.asarray(value, dtype=x.dtype))


def batch_set_value(tuples: Sequence[Tuple[Shared, Any]]) -> None:
    """Sets the values of several variables.

    # Arguments
        tuples: list of ``(variable, numpy array)`` pairs.
    """
    for x, value in tuples:
        set_value(x, value)


def update(x: Shared, new_x) -> Update:
    """An update assigning `new_x` to the variable `x`, applied by the `function` it is given to.

    # Arguments
        x: a variable.
        new_x: a tensor of the same shape.

    # Returns
        The update, a ``(x, new_x)`` pair.
    """
    return (x, new_x)


def update_add(x: Shared, increment) -> Update:
    """An update adding `increment` to `x`.

    # Arguments
        x: a variable.
        increment: a tensor of the same shape.

    # Returns
        The update, a ``(x, x + increment)`` pair.
    """
    return (x, x + increment)


def update_sub(x: Shared, decrement) -> Update:
    """An update subtracting `decrement` from `x`.

    # Arguments
        x: a variable.
        decrement: a tensor of the same shape.

    # Returns
        The update, a ``(x, x - decrement)`` pair.
    """
    return (x, x - decrement)


def moving_average_update(x: Shared, value, momentum: float) -> Update:
    """An update of the moving average `x` by `value`: ``x * momentum + value * (1 - momentum)``.

    (The Theano and CNTK backends' formula, and TensorFlow's from Keras 2.3; Keras 2.2.4's
    TensorFlow backend also debiased the average for its first steps.)

    # Arguments
        x: a variable.
        value: a tensor of the same shape.
        momentum: the moving average momentum.

    # Returns
        The update, a pair.
    """
    return (x, x * momentum + value * (1.0 - momentum))


def get_uid(prefix: str = "") -> int:
    """A per-prefix counter, starting at 1 (Keras names layers ``dense_1``, ``dense_2``, ...).

    # Arguments
        prefix: the prefix to count.

    # Returns
        An int.
    """
    _uids[prefix] += 1
    return _uids[prefix]


def reset_uids() -> None:
    """Resets every counter of `get_uid`."""
    _uids.clear()


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[None]:
    """A context manager for grouping names (TensorFlow's); symkeras names nothing by scope.

    # Arguments
        name: the scope's name.
    """
    yield
