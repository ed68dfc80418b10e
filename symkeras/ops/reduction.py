"""Reductions over axes (`Reduce`, `ArgReduce`), cumulative ops (`CumOp`) and the functions built on them.

Three op classes cover the family: `Reduce` (sum, prod, max, min, any, all over a set of
axes), `ArgReduce` (argmax/argmin over one axis or the flattened tensor) and `CumOp`
(cumulative sum/product along one axis, forward or reversed).  ``mean``, ``var``,
``std`` and ``logsumexp`` are compositions of these and elementwise ops.
"""
from __future__ import annotations

from functools import lru_cache
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Op, Variable, as_tensor
from symkeras.graph.type import TensorType, format_shape
from symkeras.ops import elemwise as E

Axis = Union[None, int, Sequence[int]]

_REDUCERS = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "any": np.any, "all": np.all}
_ARG_REDUCERS = {"argmax": np.argmax, "argmin": np.argmin}
_CUMULATORS = {"add": np.cumsum, "mul": np.cumprod}


def normalize_axes(op_name: str, axis: Axis, shape: Tuple) -> Tuple[int, ...]:
    """`axis` (None, an int or a sequence; negatives count from the end) as sorted non-negative ints.

    ``None`` means every axis.  An axis out of range or given twice is a `ValueError`
    naming `op_name` and the static `shape`.
    """
    ndim = len(shape)
    if axis is None:
        return tuple(range(ndim))
    axes = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op_name}: an axis must be an int, got {a!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{op_name}: axis {a} is out of range for a tensor of shape {format_shape(shape)}")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op_name}: repeated axis in {axis!r} for a tensor of shape {format_shape(shape)}")
    return tuple(sorted(out))


def check_op_axis(op: Op, axis: int, shape: Tuple) -> None:
    """An op's `axis` prop must already be normalised: non-negative and within `shape`."""
    if normalize_axes(str(op), axis, shape) != (axis,):
        raise ValueError(f"{op}: the axis must be non-negative and within shape {format_shape(shape)}")


def reduced_shape(shape: Tuple, axes: Sequence[int], keepdims: bool) -> Tuple:
    """The static shape after reducing `axes`: those become 1 with `keepdims`, else disappear."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def restore_axes(g: Variable, axes: Sequence[int]) -> Variable:
    """Put back, as broadcastable size-1 dims, the `axes` a reduction without keepdims removed."""
    from symkeras.ops.shape import dimshuffle

    if not axes:
        return g
    ndim = g.ndim + len(axes)
    kept = iter(range(g.ndim))
    return dimshuffle(g, tuple("x" if i in axes else next(kept) for i in range(ndim)))


def drop_axes(g: Variable, axes: Sequence[int]) -> Variable:
    """Remove the size-1 `axes` of `g` (the inverse of `restore_axes`)."""
    from symkeras.ops.shape import dimshuffle

    if not axes:
        return g
    return dimshuffle(g, tuple(i for i in range(g.ndim) if i not in axes))


@lru_cache(maxsize=None)
def _numpy_result_dtype(fn, dtype: str) -> str:
    """The dtype numpy's reduction `fn` gives for inputs of `dtype` (sum of int32 is int64, ...)."""
    return np.asarray(fn(np.ones((1,), dtype), axis=0)).dtype.name


def _check_not_empty(op: Op, x: Variable, axes: Sequence[int]) -> None:
    """max/min/argmax/argmin have no identity: reject a statically empty reduced axis."""
    if 0 in [x.type.shape[a] for a in axes]:
        raise ValueError(
            f"{op}: cannot reduce a zero-size axis of a tensor of shape {format_shape(x.type.shape)} (no identity)"
        )


def _grad_or_none(g: Variable, x: Variable) -> Optional[Variable]:
    """`g` in the dtype of `x`, or ``None`` when `x` is discrete (no gradient)."""
    return None if x.type.is_discrete else E.cast(g, x.dtype)


class Reduce(Op):
    """Reduce `x` over `axes` with ``kind`` in sum, prod, max, min, any, all (numpy semantics).

    Gradients (Theano's rules): sum broadcasts the output gradient back; max/min send it to
    every position equal to the extremum (ties share it in full); prod gives
    ``prod / x`` where no element is zero, ``prod of the others`` to a single zero, and
    zero where two or more elements are zero.  any/all are not differentiable.
    """

    __props__ = ("kind", "axes", "keepdims")

    def __init__(self, kind: str, axes: Tuple[int, ...], keepdims: bool = False):
        if kind not in _REDUCERS:
            raise ValueError(f"Reduce: unknown kind {kind!r}; expected one of {sorted(_REDUCERS)}")
        self.kind = kind
        self.axes = tuple(int(a) for a in axes)
        self.keepdims = bool(keepdims)

    @property
    def differentiable(self) -> bool:
        return self.kind not in ("any", "all")

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        if normalize_axes(str(self), self.axes, x.type.shape) != self.axes or not self.axes:
            raise ValueError(f"{self}: axes must be distinct, sorted, non-empty and within shape {format_shape(x.type.shape)}")
        if self.kind in ("max", "min"):
            _check_not_empty(self, x, self.axes)
        dtype = "bool" if self.kind in ("any", "all") else _numpy_result_dtype(_REDUCERS[self.kind], x.dtype)
        return Apply(self, [x], [TensorType(dtype, reduced_shape(x.type.shape, self.axes, self.keepdims))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        (x,) = inputs
        out = _REDUCERS[self.kind](x, axis=self.axes, keepdims=self.keepdims)
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        return self.L_op(inputs, [self(*inputs)], output_grads)

    def L_op(self, inputs, outputs, output_grads):
        from symkeras.ops.shape import alloc, shape_list

        (x,), (out,), (gz,) = inputs, outputs, output_grads
        if not self.differentiable or x.type.is_discrete:
            return [None]
        gz = gz if self.keepdims else restore_axes(gz, self.axes)
        out = out if self.keepdims else restore_axes(out, self.axes)
        if self.kind == "sum":
            g = alloc(gz, *shape_list(x))
        elif self.kind in ("max", "min"):
            g = gz * E.cast(E.eq(x, out), gz.dtype)
        else:
            g = gz * self._prod_partials(x)
        return [_grad_or_none(g, x)]

    def _prod_partials(self, x: Variable) -> Variable:
        """d prod / d x, exact in the presence of zeros and free of divisions by zero."""
        is_zero = E.eq(x, 0)
        n_zeros = Reduce("sum", self.axes, keepdims=True)(E.cast(is_zero, "int64"))
        x_nonzero = E.switch(is_zero, E.ones_like(x), x)
        prod_nonzero = Reduce("prod", self.axes, keepdims=True)(x_nonzero)
        lone_zero = E.cast(E.logical_and(is_zero, E.eq(n_zeros, 1)), x.dtype)
        return E.switch(E.eq(n_zeros, 0), prod_nonzero / x_nonzero, lone_zero * prod_nonzero)


class ArgReduce(Op):
    """The index of the maximum (``kind='argmax'``) or minimum (``'argmin'``) along `axis` (int64).

    ``axis=None`` indexes the flattened tensor; ties give the first index, as numpy does.
    """

    __props__ = ("kind", "axis", "keepdims")
    differentiable = False

    def __init__(self, kind: str, axis: Optional[int], keepdims: bool = False):
        if kind not in _ARG_REDUCERS:
            raise ValueError(f"ArgReduce: unknown kind {kind!r}; expected one of {sorted(_ARG_REDUCERS)}")
        self.kind = kind
        self.axis = None if axis is None else int(axis)
        self.keepdims = bool(keepdims)

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        if self.axis is not None:
            check_op_axis(self, self.axis, x.type.shape)
        axes = normalize_axes(str(self), self.axis, x.type.shape)
        _check_not_empty(self, x, axes)
        return Apply(self, [x], [TensorType("int64", reduced_shape(x.type.shape, axes, self.keepdims))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        (x,) = inputs
        out = _ARG_REDUCERS[self.kind](x, axis=self.axis, keepdims=self.keepdims)
        return [np.asarray(out, dtype="int64")]

    def grad(self, inputs, output_grads):
        return [None]


class CumOp(Op):
    """Cumulative sum (``kind='add'``) or product (``'mul'``) along `axis`; `reverse` runs from the end.

    The reversed form exists for the gradient of cumsum (a cumsum from the end).  The
    gradient of cumprod is Theano's ``reverse_cumsum(gz * out) / x``, which is undefined
    where `x` is zero.
    """

    __props__ = ("kind", "axis", "reverse")

    def __init__(self, kind: str, axis: int, reverse: bool = False):
        if kind not in _CUMULATORS:
            raise ValueError(f"CumOp: unknown kind {kind!r}; expected one of {sorted(_CUMULATORS)}")
        self.kind = kind
        self.axis = int(axis)
        self.reverse = bool(reverse)

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        check_op_axis(self, self.axis, x.type.shape)
        dtype = _numpy_result_dtype(_CUMULATORS[self.kind], x.dtype)
        return Apply(self, [x], [TensorType(dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        (x,) = inputs
        accumulate = _CUMULATORS[self.kind]
        dtype = node.outputs[0].dtype
        if self.reverse:
            out = np.flip(accumulate(np.flip(x, self.axis), axis=self.axis, dtype=dtype), self.axis)
            return [np.ascontiguousarray(out)]
        return [accumulate(x, axis=self.axis, dtype=dtype)]

    def grad(self, inputs, output_grads):
        return self.L_op(inputs, [self(*inputs)], output_grads)

    def L_op(self, inputs, outputs, output_grads):
        (x,), (out,), (gz,) = inputs, outputs, output_grads
        if x.type.is_discrete:
            return [None]
        backward = CumOp("add", self.axis, not self.reverse)
        g = backward(gz) if self.kind == "add" else backward(gz * out) / x
        return [_grad_or_none(g, x)]


# -- public functions ------------------------------------------------------------------------------
def _reduce(kind: str, x, axis: Axis, keepdims: bool) -> Variable:
    x = as_tensor(x)
    axes = normalize_axes(kind, axis, x.type.shape)
    if not axes:  # a 0-d tensor or axis=(): nothing to reduce
        return E.cast(x, "bool") if kind in ("any", "all") else x
    return Reduce(kind, axes, keepdims)(x)


def sum(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Sum over `axis` (None: all axes; an int or a sequence of ints, negatives allowed)."""
    return _reduce("sum", x, axis, keepdims)


def prod(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Product over `axis`; its gradient is exact where elements are zero."""
    return _reduce("prod", x, axis, keepdims)


def max(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Maximum over `axis`; the gradient goes to every position holding the maximum."""
    return _reduce("max", x, axis, keepdims)


def min(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Minimum over `axis`; the gradient goes to every position holding the minimum."""
    return _reduce("min", x, axis, keepdims)


def any(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """True where some element over `axis` is nonzero (bool, not differentiable)."""
    return _reduce("any", x, axis, keepdims)


def all(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """True where every element over `axis` is nonzero (bool, not differentiable)."""
    return _reduce("all", x, axis, keepdims)


def _float(x: Variable) -> Variable:
    """`x` itself if it is a float tensor, else `x` as float64 (numpy's rule for mean)."""
    return x if x.type.is_float else E.cast(x, "float64")


def count(x, axis: Axis = None) -> Union[int, Variable]:
    """The number of elements over `axis`: a Python int when the static shape knows it, else int64."""
    from symkeras.ops.shape import shape_list

    x = as_tensor(x)
    dims = shape_list(x)
    n = 1
    for a in normalize_axes("count", axis, x.type.shape):
        n = n * dims[a]
    return n


def mean(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Arithmetic mean over `axis`; integer and boolean tensors give float64, like numpy."""
    x = _float(as_tensor(x))
    axes = normalize_axes("mean", axis, x.type.shape)
    n = count(x, axes)
    return sum(x, axes, keepdims) / (n if isinstance(n, int) else E.cast(n, x.dtype))


def var(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Population variance (``ddof=0``, as numpy and Keras) over `axis`."""
    x = _float(as_tensor(x))
    axes = normalize_axes("var", axis, x.type.shape)
    return mean(E.square(x - mean(x, axes, keepdims=True)), axes, keepdims)


def std(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """Population standard deviation over `axis` (its gradient is infinite where the variance is 0)."""
    return E.sqrt(var(x, axis, keepdims))


def logsumexp(x, axis: Axis = None, keepdims: bool = False) -> Variable:
    """``log(sum(exp(x), axis))`` computed stably: the maximum is subtracted before ``exp``.

    A non-finite maximum (a slice of -inf) is replaced by 0 so that the result is -inf, not nan.
    The maximum is a constant for `grad` (its exact contribution ``1 - sum(softmax)`` is 0).
    """
    from symkeras.ops.gradient import stop_gradient

    x = _float(as_tensor(x))
    axes = normalize_axes("logsumexp", axis, x.type.shape)
    if not axes:
        return x
    m = max(x, axes, keepdims=True)
    m = stop_gradient(E.switch(E.lt(E.abs(m), np.inf), m, E.zeros_like(m)))
    out = E.log(sum(E.exp(x - m), axes, keepdims=True)) + m
    return out if keepdims else drop_axes(out, axes)


def argmax(x, axis: Optional[int] = None, keepdims: bool = False) -> Variable:
    """Index (int64) of the first maximum along `axis`, or in the flattened tensor when `axis` is None."""
    return _arg_reduce("argmax", x, axis, keepdims)


def argmin(x, axis: Optional[int] = None, keepdims: bool = False) -> Variable:
    """Index (int64) of the first minimum along `axis`, or in the flattened tensor when `axis` is None."""
    return _arg_reduce("argmin", x, axis, keepdims)


def _arg_reduce(kind: str, x, axis: Optional[int], keepdims: bool) -> Variable:
    x = as_tensor(x)
    if axis is not None:
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{kind}: axis must be an int or None, got {axis!r}")
        (axis,) = normalize_axes(kind, axis, x.type.shape)
    return ArgReduce(kind, axis, keepdims)(x)


def cumsum(x, axis: Optional[int] = None) -> Variable:
    """Cumulative sum along `axis`; ``None`` works on the flattened tensor, like numpy."""
    return _cumulate("add", x, axis)


def cumprod(x, axis: Optional[int] = None) -> Variable:
    """Cumulative product along `axis`; ``None`` works on the flattened tensor, like numpy."""
    return _cumulate("mul", x, axis)


def _cumulate(kind: str, x, axis: Optional[int]) -> Variable:
    from symkeras.ops.shape import flatten

    x = as_tensor(x)
    if axis is None:
        x, axis = flatten(x, 1), 0
    (axis,) = normalize_axes(f"cum{'sum' if kind == 'add' else 'prod'}", axis, x.type.shape)
    return CumOp(kind, axis)(x)
