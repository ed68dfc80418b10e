"""`DotBias`: a matrix product plus a bias broadcast over its rows, ``x @ w + b`` (a Dense layer's affine map).

The specialize phase forms it from ``dot(x, w) + b``; the Numba linker computes it as
one BLAS product writing into a buffer that already holds the bias rows.
"""
from __future__ import annotations

from typing import List

import numpy as np

from symkeras.graph.basic import Apply, Op, as_tensor
from symkeras.graph.type import TensorType, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops import reduction as R


class DotBias(Op):
    """``x @ w + b`` for a matrix `x` (m, k), a matrix `w` (k, n) and a vector `b` (n,)."""

    def make_node(self, x, w, b) -> Apply:
        x, w, b = as_tensor(x), as_tensor(w), as_tensor(b)
        if (x.ndim, w.ndim, b.ndim) != (2, 2, 1):
            raise ValueError(
                f"DotBias: expected a matrix, a matrix and a vector, got shapes {format_shape(x.type.shape)}, "
                f"{format_shape(w.type.shape)} and {format_shape(b.type.shape)}"
            )
        k1, k2, n1, n2 = x.type.shape[1], w.type.shape[0], w.type.shape[1], b.type.shape[0]
        if (k1 is not None and k2 is not None and k1 != k2) or (n1 is not None and n2 is not None and n1 != n2):
            raise ValueError(
                f"DotBias: shapes {format_shape(x.type.shape)} @ {format_shape(w.type.shape)} "
                f"+ {format_shape(b.type.shape)} do not fit"
            )
        if len({x.dtype, w.dtype, b.dtype}) != 1 or not x.type.is_float:
            raise TypeError(f"DotBias: expected one float dtype, got {x.dtype}, {w.dtype}, {b.dtype}")
        return Apply(self, [x, w, b], [TensorType(x.dtype, (x.type.shape[0], n1 if n1 is not None else n2))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        x, w, b = inputs
        return [np.dot(x, w) + b]

    def grad(self, inputs, output_grads):
        from symkeras.ops.blas import dot

        x, w, _ = inputs
        (gz,) = output_grads
        return [dot(gz, w.T), dot(x.T, gz), E.cast(R.sum(gz, axis=0), inputs[2].dtype)]
