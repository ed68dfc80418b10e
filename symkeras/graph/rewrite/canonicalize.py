"""canonicalize: fold constants, merge equal subgraphs, drop neutral elements, reach normal forms."""
from __future__ import annotations

import numpy as np

from symkeras.graph.basic import Constant, Variable
from symkeras.graph.rewrite.engine import register
from symkeras.graph.rewrite.utils import compatible_type, elemwise_of, is_constant, op_of, same_type
from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from symkeras.ops.blas import Dot
from symkeras.ops.gemm import DotBias
from symkeras.ops.gradient import StopGradient
from symkeras.ops.nnet import LogSoftmax, Softmax, SoftmaxCrossentropyWithLogits
from symkeras.ops.reduction import Reduce
from symkeras.ops.shape import Alloc, Concatenate, DimShuffle, Reshape, Shape
from symkeras.ops.subtensor import FULL_SLICE, IncSubtensor, Subtensor

#: constants larger than this are not produced by folding (they would bloat the graph and its cache key)
MAX_FOLDED_SIZE = 1 << 16


def _input_key(var: Variable):
    return var.signature() if isinstance(var, Constant) else var


@register("specialize", name="merge_specialized", tags=["merge"])  # specialization builds equal nodes too (-lr)
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


def _padded_shape(var, ndim: int):
    return (1,) * (ndim - var.ndim) + tuple(var.type.shape)


@register("fuse", E.Elemwise, name="fused_elemwise_of_alloc")
@register("canonicalize", E.Elemwise, name="elemwise_of_alloc")
def elemwise_reads_alloc_value(fgraph, node):
    """An elementwise input ``alloc(v, shape)`` is read as ``v`` when the other inputs give every broadcast size.

    The gradient of a sum is such an alloc (``ones(shape) * gz``); multiplying by it is a copy.
    """
    ndim = node.outputs[0].ndim
    for i, var in enumerate(node.inputs):
        value, alloc = _alloc_source(var)
        if value is None:
            continue
        others = [_padded_shape(v, ndim) for j, v in enumerate(node.inputs) if j != i]
        filled, given = _padded_shape(var, ndim), _padded_shape(value, ndim)
        if not all(f == 1 or g != 1 or any(o[a] != 1 for o in others)
                   for a, (f, g) in enumerate(zip(filled, given))):
            continue  # the alloc alone sets some size: it must stay
        inputs = list(node.inputs)
        inputs[i] = value
        out = node.op.make_node(*inputs).outputs[0]
        if compatible_type(out, node.outputs[0]) and out.ndim == ndim:
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


def _scalar_sized(var) -> bool:
    return all(d == 1 for d in var.type.shape)


def _as_scalar(var):
    return DimShuffle(var.ndim, ())(var) if var.ndim else var


@register("canonicalize", E.Elemwise, name="lift_elemwise_over_alloc")
def elemwise_inside_alloc(fgraph, node):
    """``f(alloc(v, dims), c)`` with scalar `v` and 0-d `c` → ``alloc(f(v, c), dims)``: compute once, then fill."""
    allocs = [k for k, v in enumerate(node.inputs) if op_of(v, Alloc) is not None]
    if len(allocs) != 1:
        return None
    k = allocs[0]
    alloc = node.inputs[k].owner
    value = alloc.inputs[0]
    if not _scalar_sized(value) or any(v.ndim for j, v in enumerate(node.inputs) if j != k):
        return None
    inputs = list(node.inputs)
    inputs[k] = _as_scalar(value)
    result = Alloc()(node.op(*inputs), *alloc.inputs[1:])
    return [result] if same_type(result, node.outputs[0]) else None


@register("canonicalize", DimShuffle, name="dimshuffle_of_alloc")
def dimshuffle_of_scalar_alloc(fgraph, node):
    """``dimshuffle(alloc(v, dims))`` with scalar `v` → ``alloc(v, permuted dims with 1 for new axes)``."""
    alloc = op_of(node.inputs[0], Alloc)
    if alloc is None or not _scalar_sized(alloc.inputs[0]):
        return None
    dims = alloc.inputs[1:]
    new_dims = [1 if p == "x" else dims[p] for p in node.op.pattern]
    result = Alloc()(_as_scalar(alloc.inputs[0]), *new_dims)
    return [result] if same_type(result, node.outputs[0]) else None


@register("canonicalize", Alloc, name="alloc_of_alloc")
def alloc_of_scalar_alloc(fgraph, node):
    """``alloc(alloc(v, d1), d2)`` with scalar `v` → ``alloc(v, d2)``."""
    inner = op_of(node.inputs[0], Alloc)
    if inner is None or not _scalar_sized(inner.inputs[0]):
        return None
    return [Alloc()(_as_scalar(inner.inputs[0]), *node.inputs[1:])]


@register("canonicalize", DimShuffle, name="drop_kept_dims")
def reduce_then_drop_kept_axes(fgraph, node):
    """``dimshuffle(sum(x, axes, keepdims=True))`` that only drops those axes → ``sum(x, axes)``."""
    reduce_node = op_of(node.inputs[0], Reduce)
    if reduce_node is None or not reduce_node.op.keepdims:
        return None
    axes = reduce_node.op.axes
    kept = [a for a in range(node.inputs[0].ndim) if a not in axes]
    if list(node.op.pattern) != kept:
        return None
    return [Reduce(reduce_node.op.kind, axes, False)(reduce_node.inputs[0])]


SHAPE_PRESERVING = (E.Elemwise, StopGradient, Softmax, LogSoftmax)


@register("canonicalize", Shape, name="shape_of_shape_preserving")
def shape_from_an_input(fgraph, node):
    """``shape(f(x, ...))`` → ``shape(x)`` for an input that has the output's exact static shape.

    The graph then keeps no value alive only to read its shape.
    """
    producer = node.inputs[0].owner
    if producer is None or not isinstance(producer.op, SHAPE_PRESERVING):
        return None
    out = node.inputs[0]
    for inp in producer.inputs:
        if inp.type.shape == out.type.shape:
            return [Shape()(inp)]
    return None


def dim_source(var, k: int):
    """``(x, j)`` such that dimension k of `var` equals dimension j of the input `x` of its node, or None.

    A small shape inference over the common ops, so ``shape(v)[k]`` need not keep `v` alive.
    """
    node = var.owner
    if node is None:
        return None
    op = node.op
    if isinstance(op, SHAPE_PRESERVING):
        for inp in node.inputs:
            lead = var.ndim - inp.ndim
            if k >= lead and inp.type.shape[k - lead] == var.type.shape[k] and inp.type.shape[k - lead] != 1:
                return inp, k - lead
        return None
    if isinstance(op, Reduce):
        kept = [a for a in range(node.inputs[0].ndim) if op.keepdims or a not in op.axes]
        j = kept[k]
        return (node.inputs[0], j) if j not in op.axes else None
    if isinstance(op, DimShuffle):
        p = op.pattern[k]
        return (node.inputs[0], p) if p != "x" else None
    if isinstance(op, (Dot, DotBias)) and var.ndim == 2 and node.inputs[0].ndim == 2:
        return (node.inputs[0], 0) if k == 0 else (node.inputs[1], 1)
    if isinstance(op, SoftmaxCrossentropyWithLogits):
        logits = node.inputs[1]
        return logits, k if k < op.axis % logits.ndim else k + 1
    return None


@register("canonicalize", Subtensor, name="shape_entry")
def shape_entry(fgraph, node):
    """``shape(x)[k]``: a constant where the type of `x` knows dimension k, else the same size read upstream."""
    shape = op_of(node.inputs[0], Shape)
    if shape is None or len(node.op.idx_list) != 1 or not isinstance(node.op.idx_list[0], int):
        return None
    var, k = shape.inputs[0], node.op.idx_list[0] % shape.inputs[0].ndim
    size = var.type.shape[k]
    if size is not None:
        return [Constant(np.asarray(size, dtype=node.outputs[0].dtype))]
    source = dim_source(var, k)
    if source is None:
        return None
    upstream, j = source
    return [Shape()(upstream)[j]]


def _adds_leading_axes_only(node) -> bool:
    """A dimshuffle that only puts new broadcastable axes in front: numpy broadcasting does that for free."""
    pattern = node.op.pattern
    lead = len(pattern) - node.op.input_ndim
    return lead >= 0 and pattern == ("x",) * lead + tuple(range(node.op.input_ndim))


@register("canonicalize", E.Elemwise, name="elemwise_implicit_broadcast")
def drop_leading_broadcast_dimshuffle(fgraph, node):
    """``f(dimshuffle(a, ('x', 0)), b)`` → ``f(a, b)`` when only leading broadcast axes were added."""
    inputs = list(node.inputs)
    for k, var in enumerate(inputs):
        ds = op_of(var, DimShuffle)
        if ds is not None and _adds_leading_axes_only(ds):
            trial = inputs[:k] + [ds.inputs[0]] + inputs[k + 1:]
            out = node.op.make_node(*trial).outputs[0]
            if same_type(out, node.outputs[0]):
                return [out]
    return None


@register("canonicalize", E.Elemwise, name="lift_elemwise_over_dimshuffle")
def elemwise_before_dimshuffle(fgraph, node):
    """``f(dimshuffle(a))`` (one input, or the others 0-d constants) → ``dimshuffle(f(a))``: compute on fewer elements."""
    tensors = [k for k, v in enumerate(node.inputs) if not (isinstance(v, Constant) and v.ndim == 0)]
    if len(tensors) != 1:
        return None
    k = tensors[0]
    ds = op_of(node.inputs[k], DimShuffle)
    if ds is None:
        return None
    inputs = list(node.inputs)
    inputs[k] = ds.inputs[0]
    result = DimShuffle(ds.op.input_ndim, ds.op.pattern)(node.op(*inputs))
    return [result] if same_type(result, node.outputs[0]) else None


def _sum_terms(fgraph, var: Variable) -> list:
    """The terms of the tree of two-input additions computing `var`, through additions read only there."""
    node = elemwise_of(var, S.add)
    if node is None or len(node.inputs) != 2 or not all(same_type(v, var) for v in node.inputs):
        return [var]
    return [t for v in node.inputs for t in
            (_sum_terms(fgraph, v) if len(fgraph.clients(v)) == 1 else [v])]


def _block_of_zeros(var: Variable, out: Variable):
    """``(axis, start, stop, y)`` when `var` is ``inc_subtensor(zeros[..., start:stop], y)`` with constant bounds
    on one axis of static size, `y` filling the block without broadcasting; else None."""
    node = op_of(var, IncSubtensor)
    if node is None or len(node.inputs) != 2 or not same_type(var, out):
        return None
    base = node.inputs[0]
    value, _ = _alloc_source(base)
    if not is_constant(base if value is None else value, 0):
        return None
    sliced = [(a, e) for a, e in enumerate(node.op.idx_list) if e != FULL_SLICE]
    if len(node.op.idx_list) != var.ndim or len(sliced) != 1 or not isinstance(sliced[0][1], tuple):
        return None
    (axis, (start, stop, step)), y = sliced[0], node.inputs[1]
    if step not in (None, 1) or out.type.shape[axis] is None or y.ndim != var.ndim:
        return None
    start, stop, _ = slice(start, stop).indices(out.type.shape[axis])
    if any(d == 1 and o != 1 for d, o in zip(y.type.shape, var.type.shape)):
        return None
    return axis, start, stop, y


@register("canonicalize", S.add, name="disjoint_increments_as_concatenate")
def disjoint_increments_as_concatenate(fgraph, node):
    """A sum of ``inc_subtensor(zeros[..., a:b], y)`` over disjoint blocks tiling one axis → ``concatenate(ys)``.

    The gradient of gate slices (an LSTM's ``z[:, :u]``, ``z[:, u:2u]``, …) is such a sum:
    one join instead of one zeros array, a copy and an addition per block.
    """
    out = node.outputs[0]
    blocks = [_block_of_zeros(t, out) for t in _sum_terms(fgraph, out)]
    if len(blocks) < 2 or None in blocks or len({b[0] for b in blocks}) != 1:
        return None
    blocks.sort(key=lambda b: b[1])
    axis, edges = blocks[0][0], [0] + [b[2] for b in blocks]
    if edges[-1] != out.type.shape[axis] or any(b[1] != e for b, e in zip(blocks, edges)):
        return None
    joined = Concatenate(axis)(*[b[3] for b in blocks])
    return [joined] if compatible_type(joined, out) and joined.dtype == out.dtype else None
