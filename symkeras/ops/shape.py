"""Shape ops: `Shape`, `Alloc`, `Reshape`, `DimShuffle`, `Concatenate`, and the functions built on them.

Five op classes cover the family; transpose, expand_dims, squeeze, flatten, stack,
tile, repeat, pad and one_hot are compositions of them (and of indexing and
elementwise ops), so their gradients follow from the primitives' — tile and repeat
sum through `Alloc`'s broadcast, pad slices through `IncSubtensor`.

Static shapes are inferred as far as the graph allows: a target dimension read as
``shape(x)[i]`` is recognised as "dimension i of x", so ``reshape(x, (x.shape[0], -1))``
on a ``(None, 3, 4)`` tensor is typed ``(None, 12)``.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Constant, Op, Variable, as_tensor
from symkeras.graph.type import Shape as StaticShape, TensorType, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops.reduction import normalize_axes

#: a dimension as far as it is known before run time: a size, "dimension i of x" as ``(x, i)``, or unknown
DimEntry = Union[int, Tuple[Variable, int], None]
IntLike = Union[int, Variable]


# -- static facts about int scalars and shape vectors ------------------------------------------
def _shape_source(v: Variable) -> Optional[Tuple[Variable, int]]:
    """``(x, i)`` when `v` is ``shape(x)[i]`` with a constant ``i``, else ``None``."""
    from symkeras.ops.subtensor import Subtensor

    node = v.owner
    if node is None or not isinstance(node.op, Subtensor) or node.inputs[0].owner is None:
        return None
    if not isinstance(node.inputs[0].owner.op, Shape) or len(node.op.idx_list) != 1:
        return None
    (i,) = node.op.idx_list
    x = node.inputs[0].owner.inputs[0]
    return (x, i % x.ndim) if isinstance(i, int) else None


def _scalar_entry(v: Variable) -> DimEntry:
    """What is known of the int scalar `v` before run time."""
    if isinstance(v, Constant):
        return int(v.data)
    source = _shape_source(v)
    if source is None:
        return None
    x, i = source
    return x.type.shape[i] if x.type.shape[i] is not None else source


def _vector_entries(v: Variable) -> List[DimEntry]:
    """What is known of each element of the int vector `v` (of static length) before run time."""
    if isinstance(v, Constant):
        return [int(e) for e in v.data]
    node = v.owner
    if node is not None and isinstance(node.op, Shape):
        x = node.inputs[0]
        return [d if d is not None else (x, i) for i, d in enumerate(x.type.shape)]
    if node is not None and isinstance(node.op, Concatenate):
        return [e for part in node.inputs for e in _vector_entries(part)]
    if node is not None and isinstance(node.op, DimShuffle) and node.op.pattern == ("x",):
        return [_scalar_entry(node.inputs[0])]
    return [None] * v.type.shape[0]


def _static(entries: Sequence[DimEntry]) -> StaticShape:
    return tuple(e if isinstance(e, int) else None for e in entries)


def _as_int_scalar(op_name: str, d: IntLike) -> Variable:
    d = as_tensor(d)
    if d.ndim != 0 or np.dtype(d.dtype).kind not in "iu":
        raise TypeError(
            f"{op_name}: a dimension must be an int or an int scalar, got {d} ({d.dtype} {format_shape(d.type.shape)})"
        )
    return d


def shape_list(x) -> List[IntLike]:
    """The dimensions of `x`: ints where static, ``shape(x)[i]`` scalars elsewhere."""
    x = as_tensor(x)
    return [d if d is not None else shape(x)[i] for i, d in enumerate(x.type.shape)]


def _shape_of(x: Variable) -> Union[Tuple[int, ...], Variable]:
    """The shape of `x` as constant ints where fully static, else as ``shape(x)``."""
    return x.type.shape if None not in x.type.shape else shape(x)


def broadcasts_to(value: StaticShape, target: StaticShape) -> bool:
    """Whether a value of static shape `value` may broadcast to `target` (numpy's rules, unknowns allowed)."""
    lead = len(target) - len(value)
    return lead >= 0 and all(v in (None, 1) or t is None or v == t for v, t in zip(value, target[lead:]))


def check_static_broadcast(op_name: str, static: StaticShape, value: Tuple[int, ...], target: Tuple[int, ...]) -> None:
    """Reject a run-time broadcast of a dimension not typed 1: it would make gradients wrong (see Elemwise)."""
    lead = len(target) - len(value)
    for axis, (s, v) in enumerate(zip(static, value)):
        if s is None and v == 1 and target[lead + axis] != 1:
            raise ValueError(
                f"{op_name}: a value of shape {value} would broadcast dimension {axis}, typed "
                f"{format_shape(static)} (size not known to be 1), to shape {target}"
            )


# -- ops ------------------------------------------------------------------------------------------
class Shape(Op):
    """The run-time shape of `x` as an int64 vector of length ``x.ndim``."""

    differentiable = False

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [TensorType("int64", (x.ndim,))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        return [np.array(inputs[0].shape, dtype="int64")]

    def grad(self, inputs, output_grads):
        return [None]


class Alloc(Op):
    """A fresh tensor of shape ``dims`` filled with `value`, broadcast numpy-style (a scalar or lower rank)."""

    def make_node(self, value, *dims) -> Apply:
        value = as_tensor(value)
        dims = [_as_int_scalar("Alloc", d) for d in dims]
        out = _static(_scalar_entry(d) for d in dims)
        if any(d is not None and d < 0 for d in out):
            raise ValueError(f"Alloc: negative dimension in {format_shape(out)}")
        if not broadcasts_to(value.type.shape, out):
            raise ValueError(
                f"Alloc: cannot broadcast a value of shape {format_shape(value.type.shape)} to {format_shape(out)}"
            )
        return Apply(self, [value, *dims], [TensorType(value.dtype, out)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        value, dims = inputs[0], tuple(int(d) for d in inputs[1:])
        check_static_broadcast("Alloc", node.inputs[0].type.shape, value.shape, dims)
        out = np.empty(dims, dtype=value.dtype)
        out[...] = value
        return [out]

    def grad(self, inputs, output_grads):
        value, gz = inputs[0], output_grads[0]
        g = None if value.type.is_discrete else E.sum_to(gz, value)
        return [g] + [None] * (len(inputs) - 1)


class Reshape(Op):
    """`x` with the same elements in a new shape of `ndim` dimensions (one of them may be -1)."""

    __props__ = ("ndim",)
    view_map = {0: [0]}

    def __init__(self, ndim: int):
        self.ndim = int(ndim)

    def make_node(self, x, target) -> Apply:
        x, target = as_tensor(x), as_tensor(target)
        if target.ndim != 1 or target.type.shape[0] != self.ndim or np.dtype(target.dtype).kind not in "iu":
            raise TypeError(
                f"{self}: the target shape must be an int vector of length {self.ndim}, "
                f"got {target.dtype} {format_shape(target.type.shape)}"
            )
        return Apply(self, [x, target], [TensorType(x.dtype, _reshaped(x, _vector_entries(target)))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        x, target = inputs
        return [np.reshape(x, tuple(int(d) for d in target))]

    def grad(self, inputs, output_grads):
        x, gz = inputs[0], output_grads[0]
        return [None if x.type.is_discrete else reshape(gz, _shape_of(x)), None]


def _reshaped(x: Variable, target: List[DimEntry]) -> StaticShape:
    """The static shape of `x` reshaped to `target`, or a ValueError when the sizes cannot match.

    Unknown dimensions of `x` that the target reads as ``shape(x)[i]`` cancel out, so the
    -1 is resolved whenever everything else is known.
    """
    shown = format_shape(tuple(e if isinstance(e, int) else None for e in target))
    error = ValueError(f"Reshape: cannot reshape a tensor of shape {format_shape(x.type.shape)} into shape {shown}")
    if sum(e == -1 for e in target) > 1 or any(isinstance(e, int) and e < -1 for e in target):
        raise ValueError(f"Reshape: the target shape {shown} may hold one -1 and otherwise sizes >= 0")
    unmatched_x = [(x, i) for i, d in enumerate(x.type.shape) if d is None]
    unknown = []
    for k, e in enumerate(target):
        if isinstance(e, tuple) and e in unmatched_x:
            unmatched_x.remove(e)
        elif not isinstance(e, int):
            unknown.append(k)
    out = [e if isinstance(e, int) and e != -1 else None for e in target]
    # what is left: size_x times unmatched dims of x against size_t times the unknown target dims
    size_x = math.prod(d for d in x.type.shape if d is not None)
    size_t = math.prod(e for e in target if isinstance(e, int) and e != -1)
    if unmatched_x:
        if size_x and size_t % size_x and not unknown and -1 not in target:
            raise error
        return tuple(out)
    if size_t and size_x % size_t or not size_t and -1 in target:
        raise error
    if -1 in target:
        if not unknown:
            out[target.index(-1)] = size_x // size_t
    elif not unknown:
        if size_x != size_t:
            raise error
    elif len(unknown) == 1 and size_t and None not in x.type.shape:
        out[unknown[0]] = size_x // size_t
    return tuple(out)


class DimShuffle(Op):
    """Theano's dimshuffle: reorder the axes of an `input_ndim`-d tensor by `pattern`.

    `pattern` lists input axes in their new order, with ``'x'`` for a new broadcastable
    axis; an input axis left out is dropped, which its static size must allow (1).
    """

    __props__ = ("input_ndim", "pattern")
    view_map = {0: [0]}

    def __init__(self, input_ndim: int, pattern: Sequence[Union[int, str]]):
        self.input_ndim = int(input_ndim)
        self.pattern = tuple(p if p == "x" else int(p) for p in pattern)
        axes = [p for p in self.pattern if p != "x"]
        if len(set(axes)) != len(axes) or any(not 0 <= p < self.input_ndim for p in axes):
            raise ValueError(f"DimShuffle: {self.pattern} is not a valid pattern for a {self.input_ndim}-d tensor")
        self.dropped = tuple(i for i in range(self.input_ndim) if i not in axes)

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        if x.ndim != self.input_ndim:
            raise ValueError(f"{self}: expected a {self.input_ndim}-d tensor, got shape {format_shape(x.type.shape)}")
        if any(x.type.shape[i] != 1 for i in self.dropped):
            raise ValueError(
                f"{self}: cannot drop axes {list(self.dropped)} of a tensor of shape {format_shape(x.type.shape)}; "
                f"only axes of static size 1 can be dropped"
            )
        out = tuple(1 if p == "x" else x.type.shape[p] for p in self.pattern)
        return Apply(self, [x], [TensorType(x.dtype, out)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        (x,) = inputs
        kept = [p for p in self.pattern if p != "x"]
        # the dropped axes (size 1) go last, then a reshape removes them and adds the new ones
        y = np.transpose(x, kept + list(self.dropped))
        return [np.reshape(y, tuple(1 if p == "x" else x.shape[p] for p in self.pattern))]

    def grad(self, inputs, output_grads):
        x, gz = inputs[0], output_grads[0]
        if x.type.is_discrete:
            return [None]
        from symkeras.ops.reduction import sum as reduce_sum

        new_axes = [k for k, p in enumerate(self.pattern) if p == "x"]
        if any(gz.type.shape[k] != 1 for k in new_axes):
            gz = reduce_sum(gz, axis=new_axes, keepdims=True)
        inverse = tuple(self.pattern.index(i) if i in self.pattern else "x" for i in range(self.input_ndim))
        return [DimShuffle(gz.ndim, inverse)(gz)]


class Concatenate(Op):
    """Tensors of one dtype and rank joined along `axis`; they must agree on every other dimension."""

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, *tensors) -> Apply:
        tensors = [as_tensor(t) for t in tensors]
        shapes = ", ".join(format_shape(t.type.shape) for t in tensors)
        if not tensors or len({t.ndim for t in tensors}) != 1 or not 0 <= self.axis < tensors[0].ndim:
            raise ValueError(f"{self}: needs tensors of one rank > {self.axis}, got shapes {shapes}")
        if len({t.dtype for t in tensors}) != 1:
            raise TypeError(f"{self}: the tensors must have one dtype, got {[t.dtype for t in tensors]}")
        out = []
        for axis, dims in enumerate(zip(*(t.type.shape for t in tensors))):
            known = {d for d in dims if d is not None}
            if axis == self.axis:
                out.append(sum(dims) if None not in dims else None)
            elif len(known) > 1:
                raise ValueError(
                    f"{self}: shapes {shapes} differ in dimension {axis}, which is not the concatenation axis"
                )
            else:
                out.append(known.pop() if known else None)
        return Apply(self, tensors, [TensorType(tensors[0].dtype, out)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        return [np.concatenate(inputs, axis=self.axis)]

    def grad(self, inputs, output_grads):
        gz = output_grads[0]
        grads, start = [], 0
        for x in inputs:
            size = x.type.shape[self.axis]
            stop = start + (size if size is not None else shape(x)[self.axis])
            index = (slice(None),) * self.axis + (slice(start, stop),)
            grads.append(None if x.type.is_discrete else gz[index])
            start = stop
        return grads


# -- public functions -----------------------------------------------------------------------------
def shape(x) -> Variable:
    """The run-time shape of `x` as an int64 vector (index it: ``shape(x)[0]``)."""
    return Shape()(x)


def alloc(value, *dims: IntLike) -> Variable:
    """A tensor of shape `dims` (ints or int scalars) filled with `value`, broadcast numpy-style."""
    return Alloc()(value, *dims)


def _as_shape_vector(dims: Sequence[IntLike]) -> Variable:
    if all(isinstance(d, (int, np.integer)) for d in dims):
        return Constant(np.array(dims, dtype="int64").reshape(len(dims)))
    return stack([E.cast(_as_int_scalar("reshape", d), "int64") for d in dims])


def reshape(x, target) -> Variable:
    """`x` in the shape `target`: a tuple/list of ints or int scalars, or an int vector; one -1 allowed."""
    x = as_tensor(x)
    target = _as_shape_vector(target) if isinstance(target, (tuple, list)) else as_tensor(target)
    if target.ndim != 1 or target.type.shape[0] is None:
        raise ValueError(
            f"reshape: the target shape needs a static length, got {target} of shape {format_shape(target.type.shape)}"
        )
    return Reshape(target.type.shape[0])(x, target)


def dimshuffle(x, pattern: Sequence[Union[int, str]]) -> Variable:
    """Theano's dimshuffle: input axes in a new order, ``'x'`` for new broadcastable axes, size-1 axes dropped."""
    x = as_tensor(x)
    pattern = tuple(pattern)
    if pattern == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, pattern)(x)


def transpose(x, axes: Optional[Sequence[int]] = None) -> Variable:
    """`x` with its axes permuted by `axes` (reversed by default), like ``numpy.transpose``."""
    x = as_tensor(x)
    if axes is None:
        return dimshuffle(x, tuple(reversed(range(x.ndim))))
    if len(axes) != x.ndim:
        raise ValueError(f"transpose: axes {tuple(axes)} do not match a tensor of shape {format_shape(x.type.shape)}")
    normalize_axes("transpose", tuple(axes), x.type.shape)  # rejects axes out of range or repeated
    return dimshuffle(x, tuple(int(a) % x.ndim for a in axes))


def flatten(x, ndim: int = 1) -> Variable:
    """Theano's flatten: keep the ``ndim - 1`` leading dimensions of `x`, collapse the rest into one."""
    x = as_tensor(x)
    if not 1 <= ndim <= max(x.ndim, 1):
        raise ValueError(
            f"flatten: ndim must be in [1, {max(x.ndim, 1)}] for a tensor of shape {format_shape(x.type.shape)}, "
            f"got {ndim}"
        )
    return reshape(x, shape_list(x)[: ndim - 1] + [-1])


def _common_dtype_tensors(tensors: Sequence) -> List[Variable]:
    """`tensors` as variables of one dtype (Python numbers take the dtype of the symbolic ones)."""
    symbolic = [t.dtype for t in tensors if isinstance(t, Variable)]
    hint = np.result_type(*symbolic).name if symbolic else None
    tensors = [as_tensor(t, hint) for t in tensors]
    dtype = np.result_type(*[t.dtype for t in tensors]).name
    return [E.cast(t, dtype) for t in tensors]


def concatenate(tensors: Sequence, axis: int = 0) -> Variable:
    """`tensors` joined along an existing `axis` (upcast to a common dtype)."""
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    tensors = _common_dtype_tensors(tensors)
    (axis,) = normalize_axes("concatenate", axis, tensors[0].type.shape)
    return Concatenate(axis)(*tensors)


def stack(tensors: Sequence, axis: int = 0) -> Variable:
    """`tensors` of one shape joined along a new `axis`."""
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    tensors = _common_dtype_tensors(tensors)
    return concatenate([expand_dims(t, axis) for t in tensors], axis)


def expand_dims(x, axis: Union[int, Sequence[int]]) -> Variable:
    """`x` with a new size-1 axis at `axis` (or at each of several axes), like ``numpy.expand_dims``."""
    x = as_tensor(x)
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out_ndim = x.ndim + len(axes)
    if any(not -out_ndim <= a < out_ndim for a in axes) or len({a % out_ndim for a in axes}) != len(axes):
        raise ValueError(f"expand_dims: invalid axis {axis!r} for a tensor of shape {format_shape(x.type.shape)}")
    new = {a % out_ndim for a in axes}
    kept = iter(range(x.ndim))
    return dimshuffle(x, tuple("x" if k in new else next(kept) for k in range(out_ndim)))


def squeeze(x, axis: Union[None, int, Sequence[int]] = None) -> Variable:
    """`x` without the size-1 `axis` (by default every axis of static size 1).

    An axis of unknown size is removed by a reshape, which checks at run time that it is 1.
    """
    x = as_tensor(x)
    if axis is None:
        return dimshuffle(x, tuple(i for i, d in enumerate(x.type.shape) if d != 1))
    axes = normalize_axes("squeeze", axis, x.type.shape)
    sizes = [x.type.shape[a] for a in axes]
    if any(d not in (1, None) for d in sizes):
        raise ValueError(
            f"squeeze: cannot remove axes {list(axes)} of a tensor of shape {format_shape(x.type.shape)} (size not 1)"
        )
    if None in sizes:
        return reshape(x, [d for i, d in enumerate(shape_list(x)) if i not in axes])
    return dimshuffle(x, tuple(i for i in range(x.ndim) if i not in axes))


def tile(x, reps: Sequence[IntLike]) -> Variable:
    """`x` repeated `reps[i]` times along axis i, like ``numpy.tile`` (reps: ints or int scalars)."""
    x = as_tensor(x)
    reps = [reps] if isinstance(reps, (int, np.integer, Variable)) else list(reps)
    ndim = max(x.ndim, len(reps))
    reps = [1] * (ndim - len(reps)) + reps
    x = dimshuffle(x, ("x",) * (ndim - x.ndim) + tuple(range(x.ndim)))
    dims = shape_list(x)
    # (1, d0, 1, d1, ...) broadcast to (r0, d0, r1, d1, ...), then (r0*d0, r1*d1, ...)
    spread = dimshuffle(x, tuple(p for i in range(ndim) for p in ("x", i)))
    tiled = alloc(spread, *[v for r, d in zip(reps, dims) for v in (r, d)])
    return reshape(tiled, [r * d for r, d in zip(reps, dims)])


def repeat(x, repeats: Union[IntLike, Sequence[int]], axis: Optional[int] = None) -> Variable:
    """Each element of `x` repeated along `axis` (the flattened tensor when None), like ``numpy.repeat``.

    `repeats` is an int (or int scalar) for every element, or one constant count per element
    along an axis of static size.
    """
    x = as_tensor(x)
    if axis is None:
        x, axis = flatten(x), 0
    (axis,) = normalize_axes("repeat", axis, x.type.shape)
    if isinstance(repeats, (Sequence, np.ndarray)):
        counts = np.asarray(repeats, dtype="int64")
        if counts.ndim != 1 or (counts < 0).any() or x.type.shape[axis] != len(counts):
            raise ValueError(
                f"repeat: {len(counts)} counts do not fit axis {axis} of a tensor of shape {format_shape(x.type.shape)}"
            )
        return x[(slice(None),) * axis + (np.repeat(np.arange(len(counts)), counts),)]
    dims = shape_list(x)
    spread = expand_dims(x, axis + 1)
    repeated = alloc(spread, *dims[: axis + 1], repeats, *dims[axis + 1:])
    return reshape(repeated, dims[:axis] + [dims[axis] * repeats] + dims[axis + 1:])


def _pad_widths(pad_width, x: Variable) -> List[Tuple[int, int]]:
    """numpy's `pad_width` forms (n, (before, after), or one pair per axis) as one pair per axis of `x`."""
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype="int64"), (x.ndim, 2))
    except ValueError:
        widths = None
    if widths is None or (widths < 0).any():
        raise ValueError(
            f"pad: pad_width {pad_width!r} is not n, (before, after) or one such pair per axis with sizes >= 0, "
            f"for a tensor of shape {format_shape(x.type.shape)}"
        )
    return [(int(b), int(a)) for b, a in widths]


def pad(x, pad_width, constant_values=0) -> Variable:
    """`x` padded with `constant_values` (``numpy.pad`` in constant mode)."""
    from symkeras.ops.subtensor import set_subtensor

    x = as_tensor(x)
    widths = _pad_widths(pad_width, x)
    fill = E.cast(as_tensor(constant_values, x.dtype), x.dtype)
    canvas = alloc(fill, *[b + d + a for (b, a), d in zip(widths, shape_list(x))])
    inner = tuple(slice(b, -a if a else None) for b, a in widths)
    return set_subtensor(canvas[inner], x)


def one_hot(indices, num_classes: int, dtype="float32") -> Variable:
    """A new last axis of size `num_classes` holding 1 at each index and 0 elsewhere (no 1 when out of range)."""
    indices = as_tensor(indices)
    if np.dtype(indices.dtype).kind not in "iu":
        raise TypeError(f"one_hot: indices must be integers, got {indices.dtype}")
    classes = Constant(np.arange(int(num_classes), dtype=indices.dtype))
    return E.cast(E.eq(expand_dims(indices, -1), classes), dtype)
