"""canonicalize: fold constants, merge equal subgraphs, drop neutral elements, reach normal forms."""
from __future__ import annotations

import numpy as np

from symkeras.graph.basic import Constant, Variable
from symkeras.graph.rewrite.engine import register
from symkeras.graph.rewrite.utils import elemwise_of, is_constant, op_of, same_type
from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from symkeras.ops.gradient import StopGradient
from symkeras.ops.reduction import Reduce
from symkeras.ops.shape import Alloc, DimShuffle, Reshape

#: constants larger than this are not produced by folding (they would bloat the graph and its cache key)
MAX_FOLDED_SIZE = 1 << 16


def _input_key(var: Variable):
    return var.signature() if isinstance(var, Constant) else var


@register("canonicalize", name="merge", tags=["merge"])
def merge_equal_nodes(fgraph, node):
    """Common subexpressions: a node with the same op and the same inputs as another is replaced by it."""
    table = fgraph.__dict__.setdefault("_merge_table", {})
    key = (node.op, tuple(_input_key(v) for v in node.inputs))
    other = table.get(key)
    if other is None or other is node or other not in fgraph.apply_nodes or \
            (other.op, tuple(_input_key(v) for v in other.inputs)) != key:
        table[key] = node
        return None
    return other.outputs


@register("canonicalize", name="constant_folding")
def fold_constants(fgraph, node):
    """A node whose inputs are all constants becomes the constant it computes."""
    if not node.inputs or not all(isinstance(v, Constant) for v in node.inputs):
        return None
    if not getattr(node.op, "constant_foldable", True):
        return None
    if any(None in o.type.shape or int(np.prod(o.type.shape)) > MAX_FOLDED_SIZE for o in node.outputs):
        return None
    results = node.op.perform(node, [v.data for v in node.inputs])
    return [Constant(np.asarray(r, dtype=o.dtype), o.type) for r, o in zip(results, node.outputs)]


def _keep_if_same(out: Variable, x: Variable):
    return [x] if same_type(out, x) else None


@register("canonicalize", S.add, S.sub, S.mul, S.true_div, S.pow, name="neutral_element")
def drop_neutral_element(fgraph, node):
    """``x + 0``, ``0 + x``, ``x - 0``, ``x * 1``, ``1 * x``, ``x / 1``, ``x ** 1`` → ``x`` (types permitting)."""
    name = node.op.scalar_op.name
    a, b = node.inputs
    out = node.outputs[0]
    neutral = 0 if name in ("add", "sub") else 1
    if is_constant(b, neutral):
        return _keep_if_same(out, a)
    if name in ("add", "mul") and is_constant(a, neutral):
        return _keep_if_same(out, b)
    return None


@register("canonicalize", S.mul, name="absorbing_zero")
def multiply_by_zero(fgraph, node):
    """``x * 0`` → zeros where a same-typed operand gives the shape (assumes finite x, as Theano does)."""
    a, b = node.inputs
    out = node.outputs[0]
    for value, zero in ((a, b), (b, a)):
        if is_constant(zero, 0):
            if same_type(out, value):
                return [E.zeros_like(value)]
            if same_type(out, zero):
                return [zero]
    return None


@register("canonicalize", S.neg, name="double_negation")
def remove_double_negation(fgraph, node):
    inner = elemwise_of(node.inputs[0], S.neg)
    return [inner.inputs[0]] if inner is not None else None


@register("canonicalize", S.exp, S.log, name="exp_log_inverse")
def cancel_exp_log(fgraph, node):
    """``exp(log x)`` → ``x`` and ``log(exp x)`` → ``x``."""
    inverse = S.log if node.op.scalar_op.name == "exp" else S.exp
    inner = elemwise_of(node.inputs[0], inverse)
    return _keep_if_same(node.outputs[0], inner.inputs[0]) if inner is not None else None


@register("canonicalize", S.sub, name="self_subtraction")
def subtract_self(fgraph, node):
    a, b = node.inputs
    return [E.zeros_like(a)] if a is b and same_type(node.outputs[0], a) else None


@register("canonicalize", S.add, S.sub, S.mul, S.true_div, name="sign_normal_form")
def normalize_signs(fgraph, node):
    """``a + (-b)`` → ``a - b``, ``(-a) + b`` → ``b - a``, ``a - (-b)`` → ``a + b``, ``-1 * x`` → ``-x``, ``a * (1/b)`` → ``a / b``."""
    name = node.op.scalar_op.name
    a, b = node.inputs
    neg_a, neg_b = elemwise_of(a, S.neg), elemwise_of(b, S.neg)
    if name == "add" and neg_b is not None:
        return [E.sub(a, neg_b.inputs[0])]
    if name == "add" and neg_a is not None:
        return [E.sub(b, neg_a.inputs[0])]
    if name == "sub" and neg_b is not None:
        return [E.add(a, neg_b.inputs[0])]
    if name == "mul":
        for x, other in ((a, b), (b, a)):
            if is_constant(other, -1) and same_type(node.outputs[0], x):
                return [E.neg(x)]
            recip = elemwise_of(other, S.true_div)
            if recip is not None and is_constant(recip.inputs[0], 1):
                return [E.true_div(x, recip.inputs[1])]
    if name == "true_div" and neg_a is not None and neg_b is not None:
        return [E.true_div(neg_a.inputs[0], neg_b.inputs[0])]
    return None


@register("canonicalize", StopGradient, name="remove_stop_gradient")
def remove_stop_gradient(fgraph, node):
    """`grad` has run by now: a stop-gradient marker is the identity."""
    return [node.inputs[0]]


@register("canonicalize", DimShuffle, name="dimshuffle_chain")
def compose_dimshuffles(fgraph, node):
    """``dimshuffle(dimshuffle(x))`` → one dimshuffle (transpose of transpose included); identity → ``x``."""
    x = node.inputs[0]
    pattern = node.op.pattern
    inner = op_of(x, DimShuffle)
    if inner is not None:
        composed = tuple("x" if p == "x" else inner.op.pattern[p] for p in pattern)
        return [DimShuffle(inner.op.input_ndim, composed)(inner.inputs[0])]
    if pattern == tuple(range(x.ndim)):
        return [x]
    return None


@register("canonicalize", Reshape, name="reshape_chain")
def compose_reshapes(fgraph, node):
    """``reshape(reshape(x, a), b)`` → ``reshape(x, b)``; a reshape to ``x``'s own known shape → ``x``."""
    x, target = node.inputs
    inner = op_of(x, Reshape)
    if inner is not None:
        return [Reshape(node.op.ndim).make_node(inner.inputs[0], target).outputs[0]]
    if same_type(node.outputs[0], x) and None not in x.type.shape:
        return [x]
    return None


def _alloc_source(var):
    """``(value, node)`` if `var` is an Alloc that only broadcasts `value` (no copy semantics needed)."""
    node = op_of(var, Alloc)
    return (node.inputs[0], node) if node is not None else (None, None)


@register("fuse", E.Elemwise, name="fused_elemwise_of_alloc")
@register("canonicalize", E.Elemwise, name="elemwise_of_alloc")
def elemwise_reads_alloc_value(fgraph, node):
    """An elementwise input that is ``alloc(v, shape)`` is read as ``v`` when the other inputs fix the shape.

    The gradient of a sum is such an alloc (``ones(shape) * gz``); multiplying by it is a copy.
    """
    for i, var in enumerate(node.inputs):
        value, alloc = _alloc_source(var)
        if value is None:
            continue
        lead = var.ndim - value.ndim
        padded = DimShuffle(value.ndim, ("x",) * lead + tuple(range(value.ndim)))(value) if lead else value
        inputs = list(node.inputs)
        inputs[i] = padded
        out = node.op.make_node(*inputs).outputs[0]
        if same_type(out, node.outputs[0]):
            return [out]
    return None


@register("canonicalize", Reduce, name="sum_of_alloc")
def sum_of_broadcast(fgraph, node):
    """``sum(alloc(v, dims))`` over every axis, with a scalar-sized `v` → ``v * prod(dims)``."""
    value, alloc = _alloc_source(node.inputs[0])
    if value is None or node.op.kind != "sum" or node.op.keepdims or len(node.op.axes) != node.inputs[0].ndim:
        return None
    if value.type.shape != (1,) * value.ndim:
        return None
    scalar = DimShuffle(value.ndim, ())(value) if value.ndim else value
    count = 1
    for d in alloc.inputs[1:]:
        count = count * E.cast(d, node.outputs[0].dtype)
    result = E.cast(scalar, node.outputs[0].dtype) * count
    return [result] if same_type(result, node.outputs[0]) else None
