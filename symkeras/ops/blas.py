"""Linear algebra: `Dot` (1-D/2-D, the gemm target), batched `Matmul`, `Tensordot`, and the functions on them.

``dot`` and ``matmul`` follow numpy: a 2-D product is one `Dot`; ``matmul`` with a
3-D or higher operand is a `Matmul` whose batch dimensions broadcast (1-D operands are
promoted to matrices and the added axis is dropped again, as numpy does).
Gradients are products with transposes; broadcast batch dimensions are summed.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Op, Variable, as_tensor
from symkeras.graph.type import TensorType, broadcast_shapes, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops.shape import check_static_broadcast, dimshuffle, flatten

Axes = Union[int, Tuple[Sequence[int], Sequence[int]]]


def _not_aligned(op_name: str, a: Variable, b: Variable, ka, kb, detail: str = "") -> ValueError:
    return ValueError(
        f"{op_name}: shapes {format_shape(a.type.shape)} and {format_shape(b.type.shape)} are not aligned"
        f"{detail}: {ka} != {kb}"
    )


def _check_inner(op_name: str, a: Variable, b: Variable, axis_a: int, axis_b: int, detail: str = "") -> None:
    """Raise if the static sizes of the contracted axes are known and differ."""
    ka, kb = a.type.shape[axis_a], b.type.shape[axis_b]
    if ka is not None and kb is not None and ka != kb:
        raise _not_aligned(op_name, a, b, ka, kb, detail)


def _result_dtype(a: Variable, b: Variable) -> str:
    return np.result_type(a.dtype, b.dtype).name


def _swap_last(x: Variable) -> Variable:
    """`x` with its last two axes exchanged (the matrix transpose of each batch element)."""
    perm = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return dimshuffle(x, perm)


class Dot(Op):
    """numpy's ``dot`` of 1-D and 2-D operands: matrix-matrix, matrix-vector, vector-matrix, inner product."""

    __props__ = ()

    def make_node(self, a, b) -> Apply:
        a, b = as_tensor(a), as_tensor(b)
        if a.ndim not in (1, 2) or b.ndim not in (1, 2):
            raise TypeError(
                f"Dot: needs 1-D or 2-D operands, got shapes {format_shape(a.type.shape)} and "
                f"{format_shape(b.type.shape)}; use matmul or tensordot for more dimensions"
            )
        _check_inner("Dot", a, b, -1, 0)
        shape = a.type.shape[:-1] + b.type.shape[1:]
        return Apply(self, [a, b], [TensorType(_result_dtype(a, b), shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        a, b = inputs
        return [np.asarray(np.dot(a, b), dtype=node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (a, b), (gz,) = inputs, output_grads
        if a.ndim == 1 and b.ndim == 1:
            ga, gb = gz * b, gz * a
        elif b.ndim == 1:
            ga, gb = outer(gz, b), self(_swap_last(a), gz)
        elif a.ndim == 1:
            ga, gb = self(b, gz), outer(a, gz)
        else:
            ga, gb = self(gz, _swap_last(b)), self(_swap_last(a), gz)
        return [None if x.type.is_discrete else E.cast(g, x.dtype) for g, x in zip((ga, gb), (a, b))]


class Matmul(Op):
    """numpy's ``matmul`` of operands of rank >= 2: a stack of matrix products with broadcast batch dims.

    A batch dimension broadcasts only where its static size is 1 (as in `Elemwise`).
    """

    __props__ = ()

    def make_node(self, a, b) -> Apply:
        a, b = as_tensor(a), as_tensor(b)
        if a.ndim < 2 or b.ndim < 2:
            raise TypeError(
                f"Matmul: needs operands of rank >= 2, got shapes {format_shape(a.type.shape)} and "
                f"{format_shape(b.type.shape)} (the matmul function promotes vectors)"
            )
        _check_inner("Matmul", a, b, -1, -2)
        try:
            batch = broadcast_shapes("Matmul", a.type.shape[:-2], b.type.shape[:-2])
        except ValueError:
            raise ValueError(
                f"Matmul: the batch dimensions of shapes {format_shape(a.type.shape)} and "
                f"{format_shape(b.type.shape)} cannot be broadcast together"
            ) from None
        shape = batch + (a.type.shape[-2], b.type.shape[-1])
        return Apply(self, [a, b], [TensorType(_result_dtype(a, b), shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        a, b = inputs
        _check_batch_broadcast(node, a, b)
        return [np.asarray(np.matmul(a, b), dtype=node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (a, b), (gz,) = inputs, output_grads
        ga = matmul(gz, _swap_last(b))
        gb = matmul(_swap_last(a), gz)
        return [None if x.type.is_discrete else E.sum_to(g, x) for g, x in zip((ga, gb), (a, b))]


def _check_batch_broadcast(node: Apply, a: np.ndarray, b: np.ndarray) -> None:
    """Reject run-time broadcasting of a batch dimension whose static size was not 1."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    for var, value in zip(node.inputs, (a, b)):
        check_static_broadcast("Matmul", var.type.shape[:-2], value.shape[:-2], batch)


class Tensordot(Op):
    """numpy's ``tensordot``: contract `axes_a` of the first operand with `axes_b` of the second.

    The result has the free axes of the first operand, then those of the second.
    """

    __props__ = ("axes_a", "axes_b")

    def __init__(self, axes_a: Sequence[int], axes_b: Sequence[int]):
        self.axes_a = tuple(int(i) for i in axes_a)
        self.axes_b = tuple(int(i) for i in axes_b)

    def make_node(self, a, b) -> Apply:
        a, b = as_tensor(a), as_tensor(b)
        for x, axes in ((a, self.axes_a), (b, self.axes_b)):
            if len(set(axes)) != len(axes) or not all(0 <= i < x.ndim for i in axes):
                raise ValueError(f"{self}: axes {axes} are invalid for an operand of shape {format_shape(x.type.shape)}")
        if len(self.axes_a) != len(self.axes_b):
            raise ValueError(f"{self}: {len(self.axes_a)} axes of the first operand paired with {len(self.axes_b)}")
        for i, j in zip(self.axes_a, self.axes_b):
            _check_inner("Tensordot", a, b, i, j, f" on axes {self.axes_a} and {self.axes_b}")
        shape = tuple(a.type.shape[i] for i in self._free(a.ndim, self.axes_a)) + tuple(
            b.type.shape[i] for i in self._free(b.ndim, self.axes_b)
        )
        return Apply(self, [a, b], [TensorType(_result_dtype(a, b), shape)])

    @staticmethod
    def _free(ndim: int, summed: Sequence[int]) -> List[int]:
        return [i for i in range(ndim) if i not in summed]

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        a, b = inputs
        out = np.tensordot(a, b, axes=(self.axes_a, self.axes_b))
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (a, b), (gz,) = inputs, output_grads
        free_a, free_b = self._free(a.ndim, self.axes_a), self._free(b.ndim, self.axes_b)
        gz_free_a = list(range(len(free_a)))
        gz_free_b = list(range(len(free_a), gz.ndim))
        # gz·b over b's free axes leaves (free_a, summed_b in b's order); permute into a's order
        ga = _permuted(Tensordot(gz_free_b, free_b)(gz, b), a.ndim, free_a, self.axes_a, self.axes_b, free_first=True)
        gb = _permuted(Tensordot(free_a, gz_free_a)(a, gz), b.ndim, free_b, self.axes_b, self.axes_a, free_first=False)
        return [None if x.type.is_discrete else E.cast(g, x.dtype) for g, x in zip((ga, gb), (a, b))]


def _permuted(g: Variable, ndim: int, free: List[int], summed: Sequence[int], partner: Sequence[int],
              free_first: bool) -> Variable:
    """Reorder the axes of a tensordot gradient into those of the operand it belongs to.

    `g` holds the operand's `free` axes (first or last, per `free_first`) and its `summed`
    axes in the order of their `partner` axes of the other operand.
    """
    partner_order = sorted(partner)
    offset_free, offset_summed = (0, len(free)) if free_first else (len(summed), 0)
    perm = []
    for axis in range(ndim):
        if axis in free:
            perm.append(offset_free + free.index(axis))
        else:
            perm.append(offset_summed + partner_order.index(partner[list(summed).index(axis)]))
    return g if perm == list(range(ndim)) else dimshuffle(g, tuple(perm))


# -- public functions ------------------------------------------------------------------------------
def dot(a, b) -> Variable:
    """numpy's ``dot``: a product with a scalar, `Dot` for 1-D/2-D operands, else a tensordot of
    the last axis of `a` with the second-to-last of `b`."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return Dot()(a, b)
    return tensordot(a, b, axes=([a.ndim - 1], [max(b.ndim - 2, 0)]))


def matmul(a, b) -> Variable:
    """numpy's ``matmul`` (the ``@`` operator): batched, with broadcasting batch dimensions.

    A 1-D operand is treated as a row (left) or column (right) vector and the added axis is
    removed from the result.
    """
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must not be scalars, got shapes {format_shape(a.type.shape)} and "
            f"{format_shape(b.type.shape)}; use * to scale"
        )
    if a.ndim <= 2 and b.ndim <= 2:
        return Dot()(a, b)
    return _promoted_matmul(a, b, a.ndim == 1, b.ndim == 1)


def _promoted_matmul(a: Variable, b: Variable, a_is_vector: bool, b_is_vector: bool) -> Variable:
    """`Matmul` where `a`'s last axis is a row vector and/or `b`'s last axis a column vector."""
    if a_is_vector:
        a = dimshuffle(a, tuple(range(a.ndim - 1)) + ("x", a.ndim - 1))
    if b_is_vector:
        b = dimshuffle(b, tuple(range(b.ndim)) + ("x",))
    out = Matmul()(a, b)
    dropped = {out.ndim - 2} if a_is_vector else set()
    dropped |= {out.ndim - 1} if b_is_vector else set()
    return dimshuffle(out, tuple(i for i in range(out.ndim) if i not in dropped)) if dropped else out


def batched_dot(a, b) -> Variable:
    """Theano's ``batched_dot``: one product per index of the first (batch) axis.

    ``(B, n)·(B, n) -> (B,)``, ``(B, n, m)·(B, m) -> (B, n)``, ``(B, n)·(B, n, m) -> (B, m)``,
    ``(B, n, m)·(B, m, k) -> (B, n, k)``.
    """
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(
            f"batched_dot: operands need a batch axis and at least one more, got shapes "
            f"{format_shape(a.type.shape)} and {format_shape(b.type.shape)}"
        )
    return _promoted_matmul(a, b, a.ndim == 2, b.ndim == 2)


def tensordot(a, b, axes: Axes = 2) -> Variable:
    """numpy's ``tensordot``: `axes` is an int n (the last n axes of `a` with the first n of `b`)
    or a pair of axis lists (an int in place of a list means one axis; negatives allowed)."""
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ValueError(
                f"tensordot: cannot contract {axes} axes of shapes {format_shape(a.type.shape)} and "
                f"{format_shape(b.type.shape)}"
            )
        axes_a, axes_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        axes_a, axes_b = ([ax] if isinstance(ax, (int, np.integer)) else list(ax) for ax in axes)
    return Tensordot(_nonneg(axes_a, a), _nonneg(axes_b, b))(a, b)


def _nonneg(axes: Sequence[int], x: Variable) -> Tuple[int, ...]:
    for i in axes:
        if not -x.ndim <= i < x.ndim:
            raise ValueError(f"tensordot: axis {i} is out of range for shape {format_shape(x.type.shape)}")
    return tuple(int(i) % x.ndim for i in axes)


def outer(a, b) -> Variable:
    """numpy's ``outer``: the (flattened) operands' products ``a[i] * b[j]``."""
    a, b = as_tensor(a), as_tensor(b)
    a = a if a.ndim == 1 else flatten(a, 1)
    b = b if b.ndim == 1 else flatten(b, 1)
    return dimshuffle(a, (0, "x")) * dimshuffle(b, ("x", 0))
