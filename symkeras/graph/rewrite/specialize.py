"""specialize: cheaper forms for the target — ``x**2`` → square, ``x**0.5`` → sqrt, ``dot + bias`` → one op.

Means need no rewrite here: `mean` is built as a sum times a constant from the start.
"""
from __future__ import annotations

from symkeras.graph.rewrite.engine import register
from symkeras.graph.rewrite.utils import constant_value, elemwise_of, op_of, same_type
from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from symkeras.ops.blas import Dot, dot
from symkeras.ops.gemm import DotBias
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
        if vector is None or vector.dtype != product.dtype or not product.type.is_float:
            continue
        result = DotBias()(mm.inputs[0], mm.inputs[1], vector)
        if same_type(result, node.outputs[0]):
            return [result]
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
