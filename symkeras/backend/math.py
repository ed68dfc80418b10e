"""Elementwise math, comparisons, reductions, products (`dot`, `batch_dot`) and `switch`.

Many of these map one graph op to its Keras name; the factories below make those (with
their Keras docstrings), so each mapping is one line.
"""
from __future__ import annotations

import builtins
from typing import Callable, Sequence, Union

import numpy as np

from symkeras import ops
from symkeras.backend.common import floatx
from symkeras.backend.errors import backend_function
from symkeras.graph import Variable, as_tensor
from symkeras.graph.type import format_shape
from symkeras.ops.shape import shape_list

Tensor = Variable
Axis = Union[None, int, Sequence[int]]


def _documented(fn: Callable, name: str, doc: str) -> Callable:
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return backend_function(fn)


def _unary(op: Callable, name: str, summary: str) -> Callable[[Tensor], Tensor]:
    def fn(x: Tensor) -> Tensor:
        return op(x)

    doc = f"{summary}\n\n    # Arguments\n        x: Tensor or variable.\n\n    # Returns\n        A tensor.\n    "
    return _documented(fn, name, doc)


def _binary(op: Callable, name: str, summary: str) -> Callable[[Tensor, Tensor], Tensor]:
    def fn(x: Tensor, y: Tensor) -> Tensor:
        return op(x, y)

    doc = (f"{summary}\n\n    # Arguments\n        x: Tensor or variable.\n        y: Tensor or variable "
           f"(numpy broadcasting).\n\n    # Returns\n        A tensor.\n    ")
    return _documented(fn, name, doc)


def _reduction(op: Callable, name: str, summary: str) -> Callable[..., Tensor]:
    def fn(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return op(x, axis=axis, keepdims=keepdims)

    doc = (f"{summary}\n\n    # Arguments\n        x: A tensor or variable.\n        axis: An integer or list of "
           f"integers (negatives count from the end); None reduces every axis.\n        keepdims: whether to keep "
           f"the reduced axes, with length 1.\n\n    # Returns\n        A tensor.\n    ")
    return _documented(fn, name, doc)


def _as_float(x) -> Tensor:
    """`x` as a tensor, cast to `floatx()` unless it is already a float tensor (Keras's mean of bools)."""
    x = as_tensor(x)
    return x if x.type.is_float else ops.cast(x, floatx())


# -- elementwise ---------------------------------------------------------------------------------
abs = _unary(ops.abs, "abs", "Element-wise absolute value.")
exp = _unary(ops.exp, "exp", "Element-wise exponential.")
log = _unary(ops.log, "log", "Element-wise natural logarithm.")
round = _unary(ops.round, "round", "Element-wise rounding to the closest integer (half to even).")
sign = _unary(ops.sign, "sign", "Element-wise sign.")
sin = _unary(ops.sin, "sin", "Element-wise sine.")
cos = _unary(ops.cos, "cos", "Element-wise cosine.")
square = _unary(ops.square, "square", "Element-wise square.")
tanh = _unary(ops.tanh, "tanh", "Element-wise tanh.")
sigmoid = _unary(ops.sigmoid, "sigmoid", "Element-wise sigmoid.")
hard_sigmoid = _unary(ops.hard_sigmoid, "hard_sigmoid",
                      "Segment-wise linear approximation of sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``.")
softplus = _unary(ops.softplus, "softplus", "Softplus of a tensor: ``log(exp(x) + 1)``, computed stably.")
softsign = _unary(ops.softsign, "softsign", "Softsign of a tensor: ``x / (abs(x) + 1)``.")

maximum = _binary(ops.maximum, "maximum", "Element-wise maximum of two tensors.")
minimum = _binary(ops.minimum, "minimum", "Element-wise minimum of two tensors.")
equal = _binary(ops.eq, "equal", "Element-wise equality between two tensors (a bool tensor).")
not_equal = _binary(ops.neq, "not_equal", "Element-wise inequality between two tensors (a bool tensor).")
greater = _binary(ops.gt, "greater", "Element-wise truth value of ``x > y`` (a bool tensor).")
greater_equal = _binary(ops.ge, "greater_equal", "Element-wise truth value of ``x >= y`` (a bool tensor).")
less = _binary(ops.lt, "less", "Element-wise truth value of ``x < y`` (a bool tensor).")
less_equal = _binary(ops.le, "less_equal", "Element-wise truth value of ``x <= y`` (a bool tensor).")


@backend_function
def sqrt(x: Tensor) -> Tensor:
    """Element-wise square root; negative values are clipped to 0 first (as Keras does).

    # Arguments
        x: Tensor or variable.

    # Returns
        A tensor.
    """
    return ops.sqrt(ops.maximum(x, 0.0))


@backend_function
def pow(x: Tensor, a) -> Tensor:
    """Element-wise exponentiation.

    # Arguments
        x: Tensor or variable.
        a: A number or a tensor (the exponent).

    # Returns
        A tensor.
    """
    return ops.pow(x, a)


@backend_function
def cast(x, dtype: str) -> Tensor:
    """Casts a tensor to a different dtype.

    # Arguments
        x: A tensor, variable or number.
        dtype: String, e.g. ``'float16'``, ``'float32'``, ``'int32'``.

    # Returns
        A tensor of dtype `dtype` (`x` itself when it has it already).
    """
    return ops.cast(x, dtype)


@backend_function
def clip(x: Tensor, min_value, max_value) -> Tensor:
    """Element-wise value clipping.

    # Arguments
        x: Tensor or variable.
        min_value: A number or tensor; None means no lower bound.
        max_value: A number or tensor; None means no upper bound (a number below `min_value`
            is raised to it).

    # Returns
        A tensor.
    """
    numbers = (int, float, np.number)
    if isinstance(min_value, numbers) and isinstance(max_value, numbers) and max_value < min_value:
        max_value = min_value
    return ops.clip(x, -np.inf if min_value is None else min_value, np.inf if max_value is None else max_value)


# -- reductions ----------------------------------------------------------------------------------
sum = _reduction(ops.sum, "sum", "Sum of the values in a tensor, alongside the specified axis.")
prod = _reduction(ops.prod, "prod", "Multiplies the values in a tensor, alongside the specified axis.")
max = _reduction(ops.max, "max", "Maximum value in a tensor, alongside the specified axis.")
min = _reduction(ops.min, "min", "Minimum value in a tensor, alongside the specified axis.")
any = _reduction(ops.any, "any", "Bitwise reduction (logical OR), alongside the specified axis (a bool tensor).")
all = _reduction(ops.all, "all", "Bitwise reduction (logical AND), alongside the specified axis (a bool tensor).")
mean = _reduction(lambda x, axis, keepdims: ops.mean(_as_float(x), axis, keepdims), "mean",
                  "Mean of a tensor, alongside the specified axis (integers and bools give `floatx()`).")
var = _reduction(lambda x, axis, keepdims: ops.var(_as_float(x), axis, keepdims), "var",
                 "Variance of a tensor (population variance), alongside the specified axis.")
std = _reduction(lambda x, axis, keepdims: ops.std(_as_float(x), axis, keepdims), "std",
                 "Standard deviation of a tensor (population), alongside the specified axis.")
logsumexp = _reduction(ops.logsumexp, "logsumexp",
                       "``log(sum(exp(x), axis))``, computed stably (the maximum is subtracted first).")


@backend_function
def argmax(x: Tensor, axis: int = -1) -> Tensor:
    """The index of the maximum value along an axis.

    # Arguments
        x: Tensor or variable.
        axis: axis along which to perform the reduction.

    # Returns
        An int64 tensor.
    """
    return ops.argmax(x, axis)


@backend_function
def argmin(x: Tensor, axis: int = -1) -> Tensor:
    """The index of the minimum value along an axis.

    # Arguments
        x: Tensor or variable.
        axis: axis along which to perform the reduction.

    # Returns
        An int64 tensor.
    """
    return ops.argmin(x, axis)


@backend_function
def cumsum(x: Tensor, axis: int = 0) -> Tensor:
    """Cumulative sum of the values in a tensor, alongside the specified axis.

    # Arguments
        x: A tensor or variable.
        axis: An integer, the axis to compute the sum.

    # Returns
        A tensor of the shape of `x`.
    """
    return ops.cumsum(x, axis)


@backend_function
def cumprod(x: Tensor, axis: int = 0) -> Tensor:
    """Cumulative product of the values in a tensor, alongside the specified axis.

    # Arguments
        x: A tensor or variable.
        axis: An integer, the axis to compute the product.

    # Returns
        A tensor of the shape of `x`.
    """
    return ops.cumprod(x, axis)


# -- products ------------------------------------------------------------------------------------
def _not_aligned(name: str, x: Tensor, y: Tensor, detail: str) -> ValueError:
    return ValueError(
        f"K.{name}: shapes {format_shape(x.type.shape)} and {format_shape(y.type.shape)} are not aligned ({detail})"
    )


@backend_function
def dot(x, y) -> Tensor:
    """Multiplies 2 tensors (and/or variables) and returns a tensor.

    N-D tensors follow numpy's ``dot``: the last axis of `x` is contracted with the
    second-to-last of `y` (the only one when `y` is 1-D).  An N-D `x` times a matrix is one
    matrix product of `x` flattened to 2-D, reshaped back (as the TensorFlow backend does).

    # Arguments
        x: Tensor or variable.
        y: Tensor or variable.

    # Returns
        A tensor, of shape ``x.shape[:-1] + y.shape[:-2] + y.shape[-1:]``.

    # Examples
    ```python
        # dot product between tensors
        >>> x = K.placeholder(shape=(2, 3))
        >>> y = K.placeholder(shape=(3, 4))
        >>> K.int_shape(K.dot(x, y))
        (2, 4)
        >>> x = K.placeholder(shape=(32, 28, 3))
        >>> y = K.placeholder(shape=(3, 4))
        >>> K.int_shape(K.dot(x, y))
        (32, 28, 4)
    ```
    """
    x, y = as_tensor(x), as_tensor(y)
    if x.ndim == 0 or y.ndim == 0:
        return x * y
    k_x, k_y = x.type.shape[-1], y.type.shape[-2 if y.ndim >= 2 else 0]
    if k_x is not None and k_y is not None and k_x != k_y:
        raise _not_aligned("dot", x, y, f"{k_x} != {k_y}")
    if x.ndim > 2 and y.ndim == 2:
        dims = shape_list(x)
        product = ops.dot(ops.reshape(x, [-1, dims[-1]]), y)
        return ops.reshape(product, dims[:-1] + [shape_list(y)[-1]])
    return ops.dot(x, y)


@backend_function
def batch_dot(x, y, axes: Union[None, int, Sequence[int]] = None) -> Tensor:
    """Batchwise dot product: one product per sample of the batch (axis 0 of both tensors).

    Axis ``axes[0]`` of `x` is contracted with axis ``axes[1]`` of `y`; the result holds the
    batch axis, then the other axes of `x`, then those of `y`, and has at least 2 axes (a
    single value per sample becomes shape ``(batch, 1)``).

    # Arguments
        x: Tensor or variable with ``ndim >= 2``.
        y: Tensor or variable with ``ndim >= 2``.
        axes: an int (the same axis for both) or a pair of ints.  By default the last axis
            of `x` with the second-to-last of `y` (the last when `y` is 2-D, as in Keras 2.3).

    # Returns
        A tensor.

    # Examples
    ```python
        >>> x_batch = K.placeholder(shape=(32, 20, 1))
        >>> y_batch = K.placeholder(shape=(32, 30, 20))
        >>> K.int_shape(K.batch_dot(x_batch, y_batch, axes=(1, 2)))
        (32, 1, 30)
    ```
    """
    x, y = as_tensor(x), as_tensor(y)
    if x.ndim < 2 or y.ndim < 2:
        raise _not_aligned("batch_dot", x, y, "both tensors need a batch axis and at least one more")
    if isinstance(axes, (int, np.integer)):
        axes = (axes, axes)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2)
    if builtins.any(isinstance(a, (list, tuple)) for a in axes) or len(axes) != 2:
        raise ValueError(
            f"K.batch_dot: multiple target dimensions are not supported. Expected: None, int, (int, int), "
            f"provided: {axes}"
        )
    ax, ay = int(axes[0]) % x.ndim, int(axes[1]) % y.ndim
    if ax == 0 or ay == 0:
        raise _not_aligned("batch_dot", x, y, f"axes {tuple(axes)} would contract the batch axis 0")
    k_x, k_y = x.type.shape[ax], y.type.shape[ay]
    if k_x is not None and k_y is not None and k_x != k_y:
        raise _not_aligned("batch_dot", x, y, f"axes {tuple(axes)} have sizes {k_x} and {k_y}")
    if x.ndim == 2 and y.ndim == 2:
        out = ops.sum(x * y, axis=1)
    else:
        # x as (batch, rest of x, k), y as (batch, k, rest of y): one batched matrix product
        xt = ops.transpose(x, [0] + [i for i in range(1, x.ndim) if i != ax] + [ax])
        yt = ops.transpose(y, [0, ay] + [i for i in range(1, y.ndim) if i != ay])
        x_dims, y_dims = shape_list(xt), shape_list(yt)
        product = ops.matmul(ops.reshape(xt, [x_dims[0], -1, x_dims[-1]]), ops.reshape(yt, [y_dims[0], y_dims[1], -1]))
        out = ops.reshape(product, x_dims[:-1] + y_dims[2:])
    return ops.expand_dims(out, 1) if out.ndim == 1 else out


# -- control flow --------------------------------------------------------------------------------
@backend_function
def switch(condition, then_expression, else_expression) -> Tensor:
    """Switches between two operations depending on a scalar or elementwise condition.

    A condition of lower rank than the expressions is broadcast along their last axes
    (a ``(batch,)`` condition picks whole rows).

    # Arguments
        condition: tensor (int or bool).
        then_expression: a tensor, or a callable returning one.
        else_expression: a tensor, or a callable returning one.

    # Returns
        The selected tensor.

    # Raises
        ValueError: if the rank of `condition` exceeds that of the expressions.
    """
    condition = as_tensor(condition)
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    expr_ndim = builtins.max(np.ndim(e) if not isinstance(e, Variable) else e.ndim
                             for e in (then_expression, else_expression))
    if condition.ndim > expr_ndim:
        raise ValueError(
            f"K.switch: the rank of the condition ({condition.ndim}) must not exceed the rank of the "
            f"expressions ({expr_ndim})"
        )
    if 0 < condition.ndim < expr_ndim:
        condition = ops.expand_dims(condition, list(range(condition.ndim, expr_ndim)))
    return ops.switch(condition, then_expression, else_expression)
