"""Indexing: ``x[index]`` with numpy semantics, and `set_subtensor` / `inc_subtensor` (Theano's API).

Four ops: `Subtensor` (ints and slices: a view), `AdvancedSubtensor` (with integer
arrays: a copy), and their writing counterparts `IncSubtensor` and `AdvancedIncSubtensor`
(which return a modified copy of x; repeated array indices accumulate, like
``np.add.at``).  Each stores its index as ``idx_list``, one entry per indexed axis:

- an int: a constant index;
- ``"?"``: an int scalar input;
- ``"A"``: an integer array input (advanced ops only);
- a ``(start, stop, step)`` triple of ``None``, ints and ``"?"``: a slice.

The symbolic parts are the op's inputs after x (and y), in the order they appear.
``None`` (new axes) is applied before indexing, as a `DimShuffle` of x.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from symkeras.graph.basic import Apply, Constant, Op, Variable, as_tensor
from symkeras.graph.type import Shape as StaticShape, TensorType, broadcast_shapes, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops.shape import broadcasts_to, check_static_broadcast, dimshuffle

SYMBOLIC = "?"
ARRAY = "A"
FULL_SLICE = (None, None, None)


# -- the index as stored in ops ------------------------------------------------------------------
def _format_index(idx_list: Sequence) -> str:
    """``idx_list`` as numpy-like text: ``1:3, ?, [?]``."""
    def bound(b):
        return "" if b is None else str(b)

    parts = []
    for e in idx_list:
        if isinstance(e, tuple):
            start, stop, step = e
            parts.append(f"{bound(start)}:{bound(stop)}" + ("" if step is None else f":{step}"))
        else:
            parts.append("[?]" if e == ARRAY else str(e))
    return ", ".join(parts)


def _numpy_index(idx_list: Sequence, values: Sequence[np.ndarray]) -> tuple:
    """The numpy index that ``idx_list`` means, with `values` filling its symbolic parts in order."""
    values = iter(values)

    def resolve(e):
        return int(next(values)) if e == SYMBOLIC else e

    index = []
    for e in idx_list:
        if isinstance(e, tuple):
            index.append(slice(*[resolve(b) for b in e]))
        elif e == ARRAY:
            index.append(next(values))
        else:
            index.append(resolve(e))
    return tuple(index)


def _slice_length(entry: Tuple, size: Optional[int]) -> Optional[int]:
    """The static length of slicing a dimension of static `size` by `entry`, where it is known."""
    if size == 0:
        return 0
    start, stop, step = entry
    if start is None and stop is None and step in (None, 1, -1):
        return size
    if size is None or SYMBOLIC in entry:
        return None
    return len(range(*slice(start, stop, step).indices(size)))


class _IndexOp(Op, abstract=True):
    """What the indexing ops share: the ``idx_list``, its checks, its printing and its static shape."""

    advanced = False

    def _check_idx_list(self) -> None:
        for e in self.idx_list:
            if isinstance(e, tuple):
                ok = len(e) == 3 and all(b is None or b == SYMBOLIC or isinstance(b, int) for b in e) and e[2] != 0
            else:
                ok = isinstance(e, int) or e in (SYMBOLIC, ARRAY)
            if not ok:
                raise ValueError(f"{type(self).__name__}: invalid index entry {e!r} in {self.idx_list!r}")
        if self.advanced != (ARRAY in self.idx_list):
            needs = "needs" if self.advanced else "cannot take"
            raise ValueError(f"{type(self).__name__}: {needs} an integer array index, got {self.idx_list!r}")

    def __str__(self) -> str:
        return f"{type(self).__name__}{{{_format_index(self.idx_list)}}}"

    __repr__ = __str__

    def _index_inputs(self, index: Sequence) -> List[Variable]:
        """The symbolic parts of the index as variables, checked against ``idx_list``."""
        kinds = [b for e in self.idx_list for b in (e if isinstance(e, tuple) else (e,)) if b in (SYMBOLIC, ARRAY)]
        index = [as_tensor(v) for v in index]
        if len(index) != len(kinds):
            raise TypeError(f"{self}: expected {len(kinds)} index inputs, got {len(index)}")
        for kind, v in zip(kinds, index):
            if np.dtype(v.dtype).kind not in "iu" or (kind == SYMBOLIC and v.ndim != 0):
                what = "scalar" if kind == SYMBOLIC else "array"
                raise TypeError(f"{self}: an index must be an int {what}, got {v.dtype} {format_shape(v.type.shape)}")
        return index

    def indexed_shape(self, x: Variable, index: Sequence[Variable]) -> StaticShape:
        """The static shape of ``x[index]`` (numpy's rules for advanced indices), with bounds checked."""
        if len(self.idx_list) > x.ndim:
            raise IndexError(
                f"{self}: too many indices ({len(self.idx_list)}) for a tensor of shape {format_shape(x.type.shape)}"
            )
        entries = self.idx_list + (FULL_SLICE,) * (x.ndim - len(self.idx_list))
        values = iter(index)
        sliced: List[Tuple[int, Optional[int]]] = []  # (axis, length) of every axis a slice keeps
        picked: List[Tuple[int, StaticShape]] = []  # (axis, index shape) of every int or array index
        for axis, (e, size) in enumerate(zip(entries, x.type.shape)):
            if isinstance(e, tuple):
                sliced.append((axis, _slice_length(e, size)))
                for b in e:
                    if b == SYMBOLIC:
                        next(values)
                continue
            v = next(values) if e in (SYMBOLIC, ARRAY) else Constant(np.int64(e))
            self._check_bounds(v, axis, x)
            picked.append((axis, v.type.shape))
        if not self.advanced:
            return tuple(length for _, length in sliced)
        block = broadcast_shapes(str(self), *[s for _, s in picked])
        axes = [a for a, _ in picked]
        if axes != list(range(axes[0], axes[-1] + 1)):  # separated by a slice: numpy puts the block first
            return block + tuple(length for _, length in sliced)
        before = tuple(length for a, length in sliced if a < axes[0])
        return before + block + tuple(length for a, length in sliced if a > axes[0])

    def _check_bounds(self, v: Variable, axis: int, x: Variable) -> None:
        size = x.type.shape[axis]
        if not isinstance(v, Constant) or size is None or not v.data.size:
            return
        if not -size <= v.data.min() <= v.data.max() < size:
            raise IndexError(
                f"{self}: index {v.data.tolist()} is out of bounds for axis {axis} "
                f"of a tensor of shape {format_shape(x.type.shape)}"
            )


class _Indexing(_IndexOp, abstract=True):
    """``x[index]``."""

    __props__ = ("idx_list",)

    def __init__(self, idx_list: Sequence):
        self.idx_list = tuple(idx_list)
        self._check_idx_list()

    def make_node(self, x, *index) -> Apply:
        x = as_tensor(x)
        index = self._index_inputs(index)
        return Apply(self, [x, *index], [TensorType(x.dtype, self.indexed_shape(x, index))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        return [np.asarray(inputs[0][_numpy_index(self.idx_list, inputs[1:])])]

    def grad(self, inputs, output_grads):
        x, index = inputs[0], inputs[1:]
        if x.type.is_discrete:
            return [None] * len(inputs)
        return [_increment_op(self.idx_list, False)(E.zeros_like(x), output_grads[0], *index)] + [None] * len(index)


class Subtensor(_Indexing):
    """Basic indexing by ints and slices; the result is a view of x."""

    view_map = {0: [0]}


class AdvancedSubtensor(_Indexing):
    """Indexing with integer arrays (and ints and slices), numpy's advanced indexing; the result is a copy."""

    advanced = True


class _Increment(_IndexOp, abstract=True):
    """A copy of x with ``x[index]`` set to y (``set_instead_of_inc``) or increased by y.

    With `inplace` (set only by the in-place rewrite) the output is x's buffer, changed.
    """

    __props__ = ("idx_list", "set_instead_of_inc", "inplace")

    def __init__(self, idx_list: Sequence, set_instead_of_inc: bool = False, inplace: bool = False):
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = bool(set_instead_of_inc)
        self.inplace = bool(inplace)
        self.destroy_map = {0: [0]} if self.inplace else {}
        self._check_idx_list()

    def __str__(self) -> str:
        suffix = ", inplace" if self.inplace else ""
        return (f"{type(self).__name__}{{{'set' if self.set_instead_of_inc else 'inc'}, "
                f"{_format_index(self.idx_list)}{suffix}}}")

    __repr__ = __str__

    def make_node(self, x, y, *index) -> Apply:
        x = as_tensor(x)
        y = as_tensor(y, x.dtype)
        index = self._index_inputs(index)
        if y.dtype != x.dtype:
            raise TypeError(f"{self}: y must have the dtype of x ({x.dtype}), got {y.dtype}")
        target = self.indexed_shape(x, index)
        if not broadcasts_to(y.type.shape, target):
            raise ValueError(
                f"{self}: cannot broadcast y of shape {format_shape(y.type.shape)} to the indexed part "
                f"{format_shape(target)} of x of shape {format_shape(x.type.shape)}"
            )
        return Apply(self, [x, y, *index], [x.type])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        x, y = inputs[:2]
        index = _numpy_index(self.idx_list, inputs[2:])
        out = x if self.inplace else x.copy()
        check_static_broadcast(str(self), node.inputs[1].type.shape, y.shape, np.shape(out[index]))
        if self.set_instead_of_inc:
            out[index] = y
        elif self.advanced:
            np.add.at(out, index, y)
        else:
            out[index] += y
        return [out]

    def grad(self, inputs, output_grads):
        x, y, index = inputs[0], inputs[1], inputs[2:]
        (gz,) = output_grads
        gx = _increment_op(self.idx_list, True)(gz, 0, *index) if self.set_instead_of_inc else gz
        gy = E.sum_to(_indexing_op(self.idx_list)(gz, *index), y)
        return [None if x.type.is_discrete else gx, None if y.type.is_discrete else gy] + [None] * len(index)


class IncSubtensor(_Increment):
    """Set or increase ``x[index]`` for basic indices (ints and slices)."""


class AdvancedIncSubtensor(_Increment):
    """Set or increase ``x[index]`` for indices with integer arrays; repeated indices accumulate."""

    advanced = True


def _indexing_op(idx_list: Sequence) -> _Indexing:
    return (AdvancedSubtensor if ARRAY in idx_list else Subtensor)(idx_list)


def _increment_op(idx_list: Sequence, set_instead_of_inc: bool) -> _Increment:
    return (AdvancedIncSubtensor if ARRAY in idx_list else IncSubtensor)(idx_list, set_instead_of_inc)


# -- public functions -----------------------------------------------------------------------------
def _is_int(e: Any) -> bool:
    return isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_))


def _expand(x: Variable, index) -> List[Any]:
    """The index as a list with the ellipsis expanded; ``None`` entries stay (new axes)."""
    items = list(index) if isinstance(index, tuple) else [index]
    n_ellipsis = sum(e is Ellipsis for e in items)
    consumed = sum(e is not None and e is not Ellipsis for e in items)
    if n_ellipsis > 1:
        raise IndexError(f"getitem: an index can hold only one ellipsis (...), got {index!r}")
    if consumed > x.ndim:
        raise IndexError(f"getitem: too many indices ({consumed}) for a tensor of shape {format_shape(x.type.shape)}")
    if n_ellipsis:
        k = items.index(Ellipsis)
        items[k: k + 1] = [slice(None)] * (x.ndim - consumed)
    return items


class _Encoder:
    """Turns index items into an ``idx_list`` and the list of its symbolic inputs."""

    def __init__(self):
        self.inputs: List[Variable] = []

    def scalar(self, e) -> Any:
        """An int index or slice bound: a constant int, or ``"?"`` with the scalar as a new input."""
        if _is_int(e):
            return int(e)
        v = as_tensor(e)
        if v.ndim != 0 or np.dtype(v.dtype).kind not in "iu":
            raise TypeError(
                f"getitem: an index or slice bound must be an int, got {v} ({v.dtype} {format_shape(v.type.shape)})"
            )
        if isinstance(v, Constant):
            return int(v.data)
        self.inputs.append(v)
        return SYMBOLIC

    def entry(self, e) -> Any:
        if isinstance(e, slice):
            if isinstance(e.step, int) and e.step == 0:
                raise ValueError("getitem: slice step cannot be zero")
            return tuple(None if b is None else self.scalar(b) for b in (e.start, e.stop, e.step))
        if (e.ndim if isinstance(e, Variable) else np.ndim(e)) == 0:
            return self.scalar(e)
        if isinstance(e, (list, np.ndarray)) and np.size(e) == 0:
            e = np.zeros(np.shape(e), dtype="int64")  # an empty list selects nothing, whatever its dtype
        v = as_tensor(e)
        if np.dtype(v.dtype).kind not in "iu":
            raise TypeError(
                f"getitem: an array index must hold integers, got {v.dtype}"
                + ("; boolean masks are not supported, use where/switch" if v.dtype == "bool" else "")
            )
        self.inputs.append(v)
        return ARRAY


def getitem(x, index) -> Variable:
    """``x[index]`` with numpy semantics: ints, slices, ``None``, ``...`` and integer arrays (Variables too)."""
    x = as_tensor(x)
    items = _expand(x, index)
    if any(e is None for e in items):
        axes = iter(range(x.ndim))
        x = dimshuffle(x, tuple("x" if e is None else next(axes) for e in items) + tuple(axes))
        x.tag["newaxis"] = True
        items = [slice(None) if e is None else e for e in items]
    encoder = _Encoder()
    idx_list = [encoder.entry(e) for e in items]
    while idx_list and idx_list[-1] == FULL_SLICE:
        idx_list.pop()
    return _indexing_op(idx_list)(x, *encoder.inputs)


def _increment(indexed: Variable, y, set_instead_of_inc: bool, name: str) -> Variable:
    node = getattr(indexed, "owner", None)
    if node is None or not isinstance(node.op, _Indexing):
        raise TypeError(f"{name}: the first argument must be an indexed tensor x[index], got {indexed!r}")
    x, index = node.inputs[0], node.inputs[1:]
    y = as_tensor(y, x.dtype)
    if y.dtype != x.dtype:
        if not np.can_cast(y.dtype, x.dtype, "same_kind"):
            raise TypeError(f"{name}: cannot write {y.dtype} values into a tensor of dtype {x.dtype} safely")
        y = E.cast(y, x.dtype)
    out = _increment_op(node.op.idx_list, set_instead_of_inc)(x, y, *index)
    if x.tag.get("newaxis"):  # undo the new axes that indexing inserted
        out = dimshuffle(out, tuple(k for k, p in enumerate(x.owner.op.pattern) if p != "x"))
    return out


def set_subtensor(indexed: Variable, y) -> Variable:
    """A copy of x with ``x[index] = y``, where `indexed` is ``x[index]`` (Theano's API)."""
    return _increment(indexed, y, True, "set_subtensor")


def inc_subtensor(indexed: Variable, y) -> Variable:
    """A copy of x with ``x[index] += y`` (repeated array indices accumulate), where `indexed` is ``x[index]``."""
    return _increment(indexed, y, False, "inc_subtensor")
