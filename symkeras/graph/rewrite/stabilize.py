"""stabilize: replace numerically fragile forms by equivalent stable ones.

``log(softmax x)`` → ``log_softmax x``; crossentropy of a softmax → one fused op whose
gradient is ``softmax(x) - y``; ``log(sigmoid x)`` → ``-softplus(-x)``;
``log(1 - sigmoid x)`` → ``-softplus(x)``; ``logit(clip(sigmoid x))`` → ``clip(x)``;
``log(1 + x)`` → ``log1p x``; ``exp(x) - 1`` → ``expm1 x``; ``log(sum(exp x))`` → logsumexp.
"""
from __future__ import annotations

import math

from symkeras.graph.rewrite.engine import register
from symkeras.graph.rewrite.utils import constant_value, elemwise_of, is_constant, op_of, same_type
from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from symkeras.ops.nnet import LogSoftmax, Softmax, SoftmaxCrossentropyWithLogits
from symkeras.ops import reduction as R
from symkeras.ops.reduction import Reduce, logsumexp


@register("stabilize", S.log, name="log1p")
def log_one_plus(fgraph, node):
    """``log(1 + x)`` → ``log1p(x)``."""
    inner = elemwise_of(node.inputs[0], S.add)
    if inner is None:
        return None
    a, b = inner.inputs
    for one, x in ((a, b), (b, a)):
        if is_constant(one, 1) and same_type(node.outputs[0], E.log1p(x)):
            return [E.log1p(x)]
    return None


@register("stabilize", S.sub, name="expm1")
def exp_minus_one(fgraph, node):
    """``exp(x) - 1`` → ``expm1(x)``."""
    a, b = node.inputs
    inner = elemwise_of(a, S.exp)
    if inner is not None and is_constant(b, 1) and same_type(node.outputs[0], a):
        return [E.expm1(inner.inputs[0])]
    return None


@register("stabilize", S.log, name="log_sigmoid")
def log_of_sigmoid(fgraph, node):
    """``log(sigmoid(x))`` → ``-softplus(-x)`` and ``log(1 - sigmoid(x))`` → ``-softplus(x)``."""
    arg = node.inputs[0]
    sig = elemwise_of(arg, S.sigmoid)
    if sig is not None:
        return [E.neg(E.softplus(E.neg(sig.inputs[0])))]
    diff = elemwise_of(arg, S.sub)
    if diff is not None and is_constant(diff.inputs[0], 1):
        sig = elemwise_of(diff.inputs[1], S.sigmoid)
        if sig is not None and same_type(arg, sig.outputs[0]):
            return [E.neg(E.softplus(sig.inputs[0]))]
    return None


def _clipped_sigmoid(var):
    """``(x, lo, hi)`` if `var` is ``clip(sigmoid(x), lo, hi)`` with constant bounds in (0, 1)."""
    clip = elemwise_of(var, S.clip)
    if clip is None:
        return None
    sig = elemwise_of(clip.inputs[0], S.sigmoid)
    lo, hi = constant_value(clip.inputs[1]), constant_value(clip.inputs[2])
    if sig is None or lo is None or hi is None or not 0 < lo < hi < 1:
        return None
    return sig.inputs[0], lo, hi


@register("stabilize", S.log, name="logit_of_sigmoid")
def logit_of_sigmoid(fgraph, node):
    """``log(p / (1 - p))`` with ``p = sigmoid(x)`` → ``x``; with ``p = clip(sigmoid(x), lo, hi)`` → ``clip(x, logit lo, logit hi)``.

    Keras's binary crossentropy on probabilities takes this logit of its clipped output, so
    a sigmoid output layer trained with it gets the stable logits form.
    """
    div = elemwise_of(node.inputs[0], S.true_div)
    if div is None:
        return None
    p, denom = div.inputs
    one_minus = elemwise_of(denom, S.sub)
    if one_minus is None or not is_constant(one_minus.inputs[0], 1) or one_minus.inputs[1] is not p:
        return None
    sig = elemwise_of(p, S.sigmoid)
    if sig is not None and same_type(node.outputs[0], sig.inputs[0]):
        return [sig.inputs[0]]
    clipped = _clipped_sigmoid(p)
    if clipped is not None:
        x, lo, hi = clipped
        logit = lambda q: math.log(q / (1 - q))  # noqa: E731
        result = E.clip(x, logit(lo), logit(hi))
        if same_type(node.outputs[0], result):
            return [result]
    return None


@register("stabilize", S.log, name="log_softmax")
def log_of_softmax(fgraph, node):
    """``log(softmax(x))`` → ``log_softmax(x)``."""
    sm = op_of(node.inputs[0], Softmax)
    return [LogSoftmax(sm.op.axis)(sm.inputs[0])] if sm is not None else None


def _summed_product_with_log_softmax(var):
    """``(y, x, axis)`` if `var` is ``sum(y * log_softmax(x, axis), axis)``."""
    total = op_of(var, Reduce)
    if total is None or total.op.kind != "sum" or total.op.keepdims:
        return None
    product = elemwise_of(total.inputs[0], S.mul)
    if product is None:
        return None
    for y, logp in (product.inputs, product.inputs[::-1]):
        lsm = op_of(logp, LogSoftmax)
        if lsm is not None and total.op.axes == (lsm.op.axis,) and y.type.is_float:
            return y, lsm.inputs[0], lsm.op.axis
    return None


@register("stabilize", S.neg, name="softmax_crossentropy")
def crossentropy_of_softmax(fgraph, node):
    """``-sum(y * log_softmax(x), axis)`` → one fused op whose gradient is ``softmax(x) - y``."""
    found = _summed_product_with_log_softmax(node.inputs[0])
    if found is None:
        return None
    y, x, axis = found
    loss = SoftmaxCrossentropyWithLogits(axis)(y, x)
    return [loss] if same_type(loss, node.outputs[0]) else None


def _max_shifted(var) -> bool:
    """True for ``a - m`` where `m` is (a guarded form of) a max of `a`: already the stable form."""
    diff = elemwise_of(var, S.sub)
    if diff is None:
        return False
    a, m = diff.inputs
    frontier = [m]
    for _ in range(4):
        nodes = [v.owner for v in frontier if v.owner is not None]
        if any(isinstance(n.op, Reduce) and n.op.kind == "max" and n.inputs[0] is a for n in nodes):
            return True
        frontier = [v for n in nodes for v in n.inputs]
    return False


@register("stabilize", S.log, name="logsumexp")
def log_sum_exp(fgraph, node):
    """``log(sum(exp(x), axes))`` → the max-subtracted logsumexp."""
    total = op_of(node.inputs[0], Reduce)
    if total is None or total.op.kind != "sum":
        return None
    exp = elemwise_of(total.inputs[0], S.exp)
    if exp is None or _max_shifted(exp.inputs[0]):
        return None
    result = logsumexp(exp.inputs[0], total.op.axes, total.op.keepdims)
    return [result] if same_type(result, node.outputs[0]) else None


@register("stabilize", S.mul, name="softmax_grad_of_quotient")
def softmax_grad_without_division(fgraph, node):
    """``(h/sm - sum(h/sm * sm, axis)) * sm`` → ``h - sum(h, axis) * sm`` for ``sm = softmax(x, axis)``.

    That is the gradient `grad` builds for ``log(softmax(x))``: the division by a softmax
    that underflowed to 0 gives inf * 0 = nan; the quotient-free form is the fused op's
    ``softmax - y`` gradient.
    """
    for diff, sm in (node.inputs, node.inputs[::-1]):
        softmax_node, sub = op_of(sm, Softmax), elemwise_of(diff, S.sub)
        if softmax_node is None or sub is None:
            continue
        quotient, total = sub.inputs
        div, reduce_node = elemwise_of(quotient, S.true_div), op_of(total, Reduce)
        if div is None or div.inputs[1] is not sm or reduce_node is None:
            continue
        axis = softmax_node.op.axis
        if reduce_node.op.kind != "sum" or not reduce_node.op.keepdims or reduce_node.op.axes != (axis,):
            continue
        h = div.inputs[0]
        summed = reduce_node.inputs[0]
        product = elemwise_of(summed, S.mul)
        # the sum reads h/sm * sm, or h once cancel_probability_quotient has simplified it
        if summed is not h and (product is None or {id(v) for v in product.inputs} != {id(quotient), id(sm)}):
            continue
        result = h - R.sum(h, axis, keepdims=True) * sm
        if same_type(result, node.outputs[0]):
            return [result]
    return None


def _is_probability(var) -> bool:
    """Outputs of sigmoid or softmax, or one minus a sigmoid: values that underflow to exactly 0."""
    if elemwise_of(var, S.sigmoid) is not None or op_of(var, Softmax) is not None:
        return True
    diff = elemwise_of(var, S.sub)
    return diff is not None and is_constant(diff.inputs[0], 1) and elemwise_of(diff.inputs[1], S.sigmoid) is not None


def _factors(var, sign: int, out: list, depth: int = 0) -> int:
    """Flatten a product (through nested mul and neg) into `out`; returns the overall sign."""
    mul = elemwise_of(var, S.mul)
    if mul is not None and depth < 8:
        for factor in mul.inputs:
            sign = _factors(factor, sign, out, depth + 1)
        return sign
    neg = elemwise_of(var, S.neg)
    if neg is not None and depth < 8:
        return _factors(neg.inputs[0], -sign, out, depth + 1)
    out.append(var)
    return sign


@register("stabilize", S.mul, name="cancel_probability_quotient")
def cancel_quotient_by_probability(fgraph, node):
    """``(a / p) * ... * p`` → ``a * ...`` where `p` is a sigmoid/softmax output.

    The chain rule through ``log(sigmoid(x))`` builds exactly this; when ``p`` underflows
    to 0 the quotient is inf and the product nan, while the cancelled form is exact.
    """
    factors: list = []
    sign = _factors(node.outputs[0], 1, factors)
    for k, factor in enumerate(factors):
        div = elemwise_of(factor, S.true_div)
        if div is None or not _is_probability(div.inputs[1]):
            continue
        rest = factors[:k] + factors[k + 1:]
        matches = [j for j, other in enumerate(rest) if other is div.inputs[1]]
        if not matches:
            continue
        del rest[matches[0]]
        result = div.inputs[0]
        for other in rest:
            result = result * other
        if sign < 0:
            result = -result
        if same_type(result, node.outputs[0]):
            return [result]
    return None
