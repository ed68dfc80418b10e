"""BLAS-shaped products the specialize phase forms: `DotBias` (``x @ w + b``) and `Gemm` (``beta*z + alpha*x@y``).

`DotBias` is a Dense layer's affine map; the Numba linker computes it as one BLAS product
accumulated onto a buffer that already holds the bias rows.  `Gemm` is BLAS's own
operation: an optimizer step ``momentum * m - lr * dot(a, g)`` becomes one call that
(made in place by the inplace phase) updates the slot `m` without a gradient buffer.
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


def _check_scalar(name: str, var) -> None:
    if var.ndim != 0:
        raise ValueError(f"Gemm: {name} must be a scalar, got shape {format_shape(var.type.shape)}")


class Gemm(Op):
    """``beta * z + alpha * (x @ y)`` for matrices `z` (m, n), `x` (m, k), `y` (k, n) and scalars alpha, beta.

    With ``inplace=True`` (set only by the inplace phase) the result overwrites `z`.
    """

    __props__ = ("inplace",)

    def __init__(self, inplace: bool = False):
        self.inplace = inplace
        self.destroy_map = {0: [0]} if inplace else {}

    def make_node(self, z, alpha, x, y, beta) -> Apply:
        z, x, y = as_tensor(z), as_tensor(x), as_tensor(y)
        alpha, beta = as_tensor(alpha, z.dtype), as_tensor(beta, z.dtype)
        if (z.ndim, x.ndim, y.ndim) != (2, 2, 2):
            raise ValueError(
                f"Gemm: expected three matrices, got shapes {format_shape(z.type.shape)}, "
                f"{format_shape(x.type.shape)} and {format_shape(y.type.shape)}"
            )
        _check_scalar("alpha", alpha)
        _check_scalar("beta", beta)
        pairs = ((x.type.shape[1], y.type.shape[0]), (z.type.shape[0], x.type.shape[0]), (z.type.shape[1], y.type.shape[1]))
        if any(a is not None and b is not None and a != b for a, b in pairs):
            raise ValueError(
                f"Gemm: shapes {format_shape(z.type.shape)} + {format_shape(x.type.shape)} @ "
                f"{format_shape(y.type.shape)} do not fit"
            )
        if len({z.dtype, x.dtype, y.dtype, alpha.dtype, beta.dtype}) != 1 or not z.type.is_float:
            raise TypeError(f"Gemm: expected one float dtype, got {z.dtype}, {alpha.dtype}, {x.dtype}, {y.dtype}, {beta.dtype}")
        return Apply(self, [z, alpha, x, y, beta], [z.type])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        z, alpha, x, y, beta = inputs
        result = (beta * z + alpha * np.dot(x, y)).astype(z.dtype)
        if self.inplace:
            z[...] = result
            return [z]
        return [result]

    def grad(self, inputs, output_grads):
        from symkeras.ops.blas import dot

        z, alpha, x, y, beta = inputs
        (gz,) = output_grads
        return [gz * beta, R.sum(gz * dot(x, y)), dot(gz, y.T) * alpha, dot(x.T, gz) * alpha, R.sum(gz * z)]
