"""stabilize: replace numerically fragile forms by equivalent stable ones.

``log(softmax x)`` → ``log_softmax x``; crossentropy of a softmax → one fused op whose
gradient is ``softmax(x) - y``; ``log(sigmoid x)`` → ``-softplus(-x)``;
``log(1 - sigmoid x)`` → ``-softplus(x)``; ``logit(clip(sigmoid x))`` → ``clip(x)``;
``log(1 + x)`` → ``log1p x``; ``exp(x) - 1`` → ``expm1 x``; ``log(sum(exp x))`` → logsumexp.
"""
from __future__ import annotations

import math

from symkeras.graph.rewrite.engine import register
from symkeras.graph.rewrite.utils import constant_value, elemwise_of, is_constant, same_type
from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S


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
