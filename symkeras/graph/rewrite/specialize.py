"""specialize: cheaper forms for the target — ``x**2`` → square, ``x**0.5`` → sqrt, ``dot + bias`` → one op,
``beta * z + alpha * dot(x, y)`` → one BLAS gemm.

Means need no rewrite here: `mean` is built as a sum times a constant from the start.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from symkeras.graph.basic import Constant, Variable, as_tensor
from symkeras.graph.rewrite.engine import register
from symkeras.graph.rewrite.utils import compatible_type, constant_value, elemwise_of, op_of, same_type
from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from symkeras.ops.blas import Dot, dot
from symkeras.ops.gemm import DotBias, Gemm
from symkeras.ops.reduction import Reduce
from symkeras.ops.shape import DimShuffle

POWERS = {2: E.square, 0.5: E.sqrt, -1: lambda x: 1 / x, -0.5: lambda x: 1 / E.sqrt(x)}


@register("specialize", S.pow, name="pow_specialize")
def specialize_power(fgraph, node):
    """``x ** 2`` → ``square(x)``, ``x ** 0.5`` → ``sqrt(x)``, ``x ** -1`` → ``1 / x``, ``x ** -0.5`` → ``1 / sqrt(x)``."""
    x, exponent = node.inputs
    value = constant_value(exponent)
    if value not in POWERS or not x.type.is_float:
        return None
    result = POWERS[value](x)
    return [result] if same_type(result, node.outputs[0]) else None


def _bias_vector(b):
    """`b` as a vector if it broadcasts along the rows of a matrix: shape (n,) or (1, n)."""
    if b.ndim == 1:
        return b
    if b.ndim == 2 and b.type.shape[0] == 1:
        return DimShuffle(2, (1,))(b)
    return None


@register("specialize", S.add, name="dot_bias")
def dot_plus_bias(fgraph, node):
    """``dot(x, w) + b`` (b broadcast over rows) → ``DotBias(x, w, b)`` when the product has no other reader."""
    for product, b in (node.inputs, node.inputs[::-1]):
        mm = op_of(product, Dot)
        if mm is None or product.ndim != 2 or len(fgraph.clients(product)) != 1:
            continue
        vector = _bias_vector(b)
        operand_dtypes = {mm.inputs[0].dtype, mm.inputs[1].dtype}  # DotBias computes in one dtype
        if vector is None or {vector.dtype} | operand_dtypes != {product.dtype} or not product.type.is_float:
            continue
        result = DotBias()(mm.inputs[0], mm.inputs[1], vector)
        if same_type(result, node.outputs[0]):
            return [result]
    return None


def _scalar_factor(var: Variable, dtype: str) -> Optional[Variable]:
    """`var` as a 0-d tensor of `dtype` if it is one, or a constant whose every dimension is 1; else None."""
    if var.dtype != dtype:
        return None
    if var.ndim == 0:
        return var
    if isinstance(var, Constant) and all(d == 1 for d in var.type.shape):
        return as_tensor(var.data.reshape(()))
    return None


def _scaled_term(fgraph, var: Variable, sign: int) -> Tuple[Variable, Variable]:
    """`var` as ``(scale, base)`` with ``var == scale * base``: through ``a * base``, ``base * a`` (a scalar)
    and ``-base`` that nothing else reads; `sign` (1 or -1) is folded into the scale."""
    node = var.owner
    if node is not None and len(fgraph.clients(var)) == 1:
        if elemwise_of(var, S.neg) is not None:
            return _scaled_term(fgraph, node.inputs[0], -sign)
        if elemwise_of(var, S.mul) is not None and len(node.inputs) == 2:
            for factor, base in (node.inputs, node.inputs[::-1]):
                scale = _scalar_factor(factor, var.dtype)
                if scale is not None and compatible_type(base, var):
                    return (scale if sign > 0 else E.neg(scale)), base
    return as_tensor(np.asarray(sign, var.dtype)), var


@register("specialize", S.add, S.sub, name="gemm")
def scaled_product_to_gemm(fgraph, node):
    """``beta * z ± alpha * dot(x, y)`` (alpha, beta scalars or absent) → ``Gemm(z, ±alpha, x, y, beta)``.

    The product must have no other reader; `z` must have the result's type (no broadcasting).
    """
    out = node.outputs[0]
    if out.ndim != 2 or not out.type.is_float or len(node.inputs) != 2:
        return None
    second_sign = -1 if node.op.scalar_op.name == S.sub.name else 1
    for (product_term, product_sign), (other, other_sign) in (
        ((node.inputs[1], second_sign), (node.inputs[0], 1)), ((node.inputs[0], 1), (node.inputs[1], second_sign))
    ):
        alpha, product = _scaled_term(fgraph, product_term, product_sign)
        mm = op_of(product, Dot)
        if mm is None or not compatible_type(product, out) or len(fgraph.clients(product)) != 1:
            continue
        beta, z = _scaled_term(fgraph, other, other_sign)
        x, y = mm.inputs
        if z.type != out.type or x.ndim != 2 or y.ndim != 2 or {x.dtype, y.dtype} != {out.dtype}:
            continue
        return [Gemm()(z, alpha, x, y, beta)]
    return None


@register("specialize", Reduce, name="sum_of_product_to_dot")
def sum_of_product(fgraph, node):
    """``sum(x * y)`` over the whole of two same-typed vectors → ``dot(x, y)``."""
    if node.op.kind != "sum" or node.op.keepdims or node.inputs[0].ndim != 1:
        return None
    product = elemwise_of(node.inputs[0], S.mul)
    if product is None:
        return None
    x, y = product.inputs
    if x.type != y.type or not x.type.is_float:
        return None
    result = dot(x, y)
    return [result] if same_type(result, node.outputs[0]) else None
