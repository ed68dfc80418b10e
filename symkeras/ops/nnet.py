"""Neural-network ops: `Softmax`, `LogSoftmax`, the fused softmax-crossentropy ops, and Keras' crossentropies.

The softmax family subtracts the maximum along the axis before ``exp``, so logits of
any magnitude give finite results; the fused crossentropy ops work on log-softmax
directly, so their loss and gradient stay finite even for logits of ±1000.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from symkeras.graph.basic import Apply, Op, Variable, as_tensor
from symkeras.graph.type import TensorType, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops import reduction as R
from symkeras.ops.shape import alloc

#: Keras' default fuzz factor (``K.epsilon()``), used to clip probabilities away from 0 and 1
EPSILON = 1e-7


def _stable_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """numpy log-softmax along `axis`, max-subtracted (a row of -inf gives nan, an empty axis nothing)."""
    with np.errstate(all="ignore"):
        m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        shifted = x - np.where(np.isfinite(m), m, 0)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _check_float(op: Op, x: Variable, what: str) -> None:
    if not x.type.is_float:
        raise TypeError(f"{op}: {what} must be a float tensor, got {x.dtype} of shape {format_shape(x.type.shape)}")


def _merged_shape(op: Op, a: Tuple, b: Tuple, what_a: str, what_b: str) -> Tuple:
    """The static shape two operands agree on (a known size wins over None), or a ValueError naming both."""
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b)):
        raise ValueError(f"{op}: {what_a} of shape {format_shape(a)} does not match {what_b} of shape {format_shape(b)}")
    return tuple(x if x is not None else y for x, y in zip(a, b))


class _SoftmaxBase(Op, abstract=True):
    """A float-to-float op normalising along one `axis`."""

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        _check_float(self, x, "the input")
        R.check_op_axis(self, self.axis, x.type.shape)
        return Apply(self, [x], [TensorType(x.dtype, x.type.shape)])

    def grad(self, inputs, output_grads):
        return self.L_op(inputs, [self(*inputs)], output_grads)


class Softmax(_SoftmaxBase):
    """``exp(x) / sum(exp(x), axis)``, computed with the maximum along `axis` subtracted."""

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        return [np.exp(_stable_log_softmax(inputs[0], self.axis)).astype(node.outputs[0].dtype)]

    def L_op(self, inputs, outputs, output_grads):
        (sm,), (gz,) = outputs, output_grads
        return [(gz - R.sum(gz * sm, self.axis, keepdims=True)) * sm]


class LogSoftmax(_SoftmaxBase):
    """``x - logsumexp(x, axis)``: finite for any finite logits."""

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        return [_stable_log_softmax(inputs[0], self.axis).astype(node.outputs[0].dtype)]

    def L_op(self, inputs, outputs, output_grads):
        (out,), (gz,) = outputs, output_grads
        return [gz - E.exp(out) * R.sum(gz, self.axis, keepdims=True)]


class SoftmaxCrossentropyWithLogits(Op):
    """``-sum(target * log_softmax(logits), axis)``: one loss per row, from logits of the same shape.

    Gradients: ``(softmax(logits) * sum(target, axis) - target) * gz`` for the logits
    (``softmax - target`` for normalised targets) and ``-log_softmax(logits) * gz`` for the target.
    """

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, target, logits) -> Apply:
        logits = as_tensor(logits)
        target = as_tensor(target, logits.dtype)
        _check_float(self, logits, "the logits")
        _check_float(self, target, "the target")
        R.check_op_axis(self, self.axis, logits.type.shape)
        shape = _merged_shape(self, target.type.shape, logits.type.shape, "the target", "the logits")
        dtype = np.result_type(target.dtype, logits.dtype).name
        return Apply(self, [target, logits], [TensorType(dtype, R.reduced_shape(shape, (self.axis,), False))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        target, logits = inputs
        loss = -np.sum(target * _stable_log_softmax(logits, self.axis), axis=self.axis)
        return [np.asarray(loss, dtype=node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (target, logits), (gz,) = inputs, output_grads
        gz = R.restore_axes(gz, (self.axis,))
        total = R.sum(target, self.axis, keepdims=True)
        g_logits = (Softmax(self.axis)(logits) * total - target) * gz
        g_target = -LogSoftmax(self.axis)(logits) * gz
        return [E.cast(g_target, target.dtype), E.cast(g_logits, logits.dtype)]


class SparseSoftmaxCrossentropyWithLogits(Op):
    """``-log_softmax(logits, axis)[label]``: one loss per integer label in ``[0, classes)``.

    `labels` has the shape of `logits` without `axis`.  The gradient for the logits is
    ``(softmax(logits) - one_hot(labels)) * gz``; labels get none.
    """

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, labels, logits) -> Apply:
        labels, logits = as_tensor(labels), as_tensor(logits)
        _check_float(self, logits, "the logits")
        R.check_op_axis(self, self.axis, logits.type.shape)
        if labels.dtype == "bool" or not labels.type.is_discrete:
            raise TypeError(f"{self}: the labels must be integers, got {labels.dtype}")
        rows = R.reduced_shape(logits.type.shape, (self.axis,), False)
        shape = _merged_shape(self, labels.type.shape, rows, "the labels", "the logits without their class axis")
        return Apply(self, [labels, logits], [TensorType(logits.dtype, shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        labels, logits = inputs
        n_classes = logits.shape[self.axis]
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(
                f"{self}: labels must lie in [0, {n_classes}), got values from {labels.min()} to {labels.max()}"
            )
        picked = np.take_along_axis(_stable_log_softmax(logits, self.axis), np.expand_dims(labels, self.axis), self.axis)
        return [np.asarray(-np.squeeze(picked, self.axis), dtype=node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (labels, logits), (gz,) = inputs, output_grads
        g_logits = (Softmax(self.axis)(logits) - _one_hot_along(labels, logits, self.axis)) * R.restore_axes(
            gz, (self.axis,)
        )
        return [None, E.cast(g_logits, logits.dtype)]


def _one_hot_along(labels: Variable, like: Variable, axis: int) -> Variable:
    """One-hot vectors of `labels` laid along `axis` of `like` (whose size there is the class count)."""
    return E.cast(E.eq(R.restore_axes(labels, (axis,)), _class_index(like, axis)), like.dtype)


def _class_index(like: Variable, axis: int) -> Variable:
    """``0, 1, ..., classes - 1`` along `axis` (size 1 elsewhere): a constant when the class count is static."""
    dims = [1] * like.ndim
    n_classes = like.type.shape[axis]
    if n_classes is not None:
        dims[axis] = n_classes
        return as_tensor(np.arange(n_classes, dtype="int64").reshape(dims))
    dims[axis] = like.shape[axis]
    return R.cumsum(alloc(np.int64(1), *dims), axis) - 1


# -- public functions ------------------------------------------------------------------------------
def _axis_of(what: str, x: Variable, axis: int) -> int:
    (axis,) = R.normalize_axes(what, axis, x.type.shape)
    return axis


def softmax(x, axis: int = -1) -> Variable:
    """Softmax along `axis` (numerically stable)."""
    x = as_tensor(x)
    return Softmax(_axis_of("softmax", x, axis))(x)


def log_softmax(x, axis: int = -1) -> Variable:
    """Log-softmax along `axis` (numerically stable; prefer it to ``log(softmax(x))``)."""
    x = as_tensor(x)
    return LogSoftmax(_axis_of("log_softmax", x, axis))(x)


def _clip_probabilities(p: Variable, epsilon: float) -> Variable:
    return E.clip(p, epsilon, 1.0 - epsilon)


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1,
                             epsilon: float = EPSILON) -> Variable:
    """Keras 2's categorical crossentropy between a target distribution and `output`, along `axis`.

    Probabilities are renormalised to sum to 1 and clipped to ``[epsilon, 1 - epsilon]``
    before the log; logits (``from_logits=True``) go through the fused, stable
    `SoftmaxCrossentropyWithLogits`.  The result has the shape of `output` without `axis`.
    """
    output = as_tensor(output)
    target = E.cast(as_tensor(target, output.dtype), output.dtype)
    axis = _axis_of("categorical_crossentropy", output, axis)
    if from_logits:
        return SoftmaxCrossentropyWithLogits(axis)(target, output)
    output = _clip_probabilities(output / R.sum(output, axis, keepdims=True), epsilon)
    return -R.sum(target * E.log(output), axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1,
                                    epsilon: float = EPSILON) -> Variable:
    """Keras 2's sparse categorical crossentropy: integer class labels against `output` along `axis`.

    `target` has the shape of `output` without `axis`, or a size-1 axis in its place
    (Keras' ``(batch, 1)`` labels); float labels are cast to int64.  Probabilities are
    clipped to ``[epsilon, 1 - epsilon]`` and their log used as logits (TensorFlow's
    Keras 2.2.4 formula); both forms end in `SparseSoftmaxCrossentropyWithLogits`.
    """
    output = as_tensor(output)
    axis = _axis_of("sparse_categorical_crossentropy", output, axis)
    labels = _labels_without_axis(as_tensor(target), output, axis)
    logits = output if from_logits else E.log(_clip_probabilities(output, epsilon))
    return SparseSoftmaxCrossentropyWithLogits(axis)(labels, logits)


def _labels_without_axis(target: Variable, output: Variable, axis: int) -> Variable:
    """Integer labels shaped like `output` without `axis` (a size-1 `axis` of `target` is indexed away)."""
    if target.ndim == output.ndim:
        if target.type.shape[axis] not in (None, 1):
            raise ValueError(
                f"sparse_categorical_crossentropy: the target of shape {format_shape(target.type.shape)} needs "
                f"size 1 along axis {axis} (one label per row of the output of shape {format_shape(output.type.shape)})"
            )
        target = target[(slice(None),) * axis + (0,)]
    return target if target.type.is_discrete and target.dtype != "bool" else E.cast(target, "int64")


def binary_crossentropy(target, output, from_logits: bool = False, epsilon: float = EPSILON) -> Variable:
    """Keras 2's elementwise binary crossentropy.

    Probabilities are clipped to ``[epsilon, 1 - epsilon]`` and turned into logits
    ``log(p / (1 - p))``; the loss is then `sigmoid_crossentropy_with_logits`.
    """
    output = as_tensor(output)
    target = E.cast(as_tensor(target, output.dtype), output.dtype)
    if not from_logits:
        p = _clip_probabilities(output, epsilon)
        output = E.log(p / (1.0 - p))
    return sigmoid_crossentropy_with_logits(target, output)


def sigmoid_crossentropy_with_logits(labels, logits) -> Variable:
    """``-labels·log(sigmoid(logits)) - (1 - labels)·log(1 - sigmoid(logits))``, stable for any logits.

    Written ``softplus(x) - x·z`` (equal to TensorFlow's ``max(x, 0) - x·z + log1p(exp(-|x|))``):
    `softplus` is stable and its derivative is exactly ``sigmoid(x)``, whereas the kinks of
    ``max`` and ``abs`` would give a wrong gradient at ``x = 0``.
    """
    logits = as_tensor(logits)
    return E.softplus(logits) - logits * as_tensor(labels, logits.dtype)
