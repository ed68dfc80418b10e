"""Neural-network functions: activations, crossentropies, dropout, normalization, bias_add, in_top_k."""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from symkeras import ops
from symkeras.backend.common import epsilon, floatx, normalize_data_format
from symkeras.backend.errors import backend_function
from symkeras.backend.random import random_binomial
from symkeras.graph import Variable, as_tensor
from symkeras.graph.type import format_shape
from symkeras.ops.reduction import normalize_axes
from symkeras.ops.shape import shape_list

Tensor = Variable


@backend_function
def relu(x: Tensor, alpha: float = 0.0, max_value: Optional[float] = None, threshold: float = 0.0) -> Tensor:
    """Rectified linear unit.

    With default values, it returns element-wise ``max(x, 0)``.  Otherwise:
    ``f(x) = max_value`` for ``x >= max_value``, ``f(x) = x`` for ``threshold <= x < max_value``,
    ``f(x) = alpha * (x - threshold)`` otherwise.

    # Arguments
        x: A tensor or variable.
        alpha: A scalar, slope of negative section.
        max_value: float. Saturation threshold.
        threshold: float. Threshold value for thresholded activation.

    # Returns
        A tensor.
    """
    return ops.relu(x, float(alpha), None if max_value is None else float(max_value), float(threshold))


@backend_function
def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit.

    # Arguments
        x: A tensor or variable to compute the activation function for.
        alpha: A scalar, slope of negative section.

    # Returns
        A tensor.
    """
    return ops.elu(x, float(alpha))


@backend_function
def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """Softmax of a tensor.

    # Arguments
        x: A tensor or variable.
        axis: The dimension softmax would be performed on (default: the last).

    # Returns
        A tensor.
    """
    return ops.softmax(x, axis)


@backend_function
def categorical_crossentropy(target: Tensor, output: Tensor, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Categorical crossentropy between an output tensor and a target tensor.

    # Arguments
        target: A tensor of the same shape as `output`.
        output: A tensor resulting from a softmax (unless `from_logits` is True, in which
            case `output` is expected to be the logits).  Probabilities are rescaled to sum
            to 1 and clipped to ``[epsilon(), 1 - epsilon()]``.
        from_logits: Boolean, whether `output` is the result of a softmax, or is a tensor of logits.
        axis: Int specifying the channels axis.

    # Returns
        Output tensor (the shape of `output` without `axis`).
    """
    return ops.categorical_crossentropy(target, output, from_logits, axis, epsilon())


@backend_function
def sparse_categorical_crossentropy(target: Tensor, output: Tensor, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    """Categorical crossentropy with integer targets.

    # Arguments
        target: An integer tensor (of the shape of `output` without `axis`, or with size 1 there).
        output: A tensor resulting from a softmax (unless `from_logits` is True, in which
            case `output` is expected to be the logits).
        from_logits: Boolean, whether `output` is the result of a softmax, or is a tensor of logits.
        axis: Int specifying the channels axis.

    # Returns
        Output tensor (the shape of `output` without `axis`).
    """
    return ops.sparse_categorical_crossentropy(target, output, from_logits, axis, epsilon())


@backend_function
def binary_crossentropy(target: Tensor, output: Tensor, from_logits: bool = False) -> Tensor:
    """Binary crossentropy between an output tensor and a target tensor (elementwise).

    # Arguments
        target: A tensor with the same shape as `output`.
        output: A tensor of probabilities (clipped to ``[epsilon(), 1 - epsilon()]``), or of
            logits when `from_logits` is True.
        from_logits: Whether `output` is expected to be a logits tensor.

    # Returns
        A tensor.
    """
    return ops.binary_crossentropy(target, output, from_logits, epsilon())


@backend_function
def dropout(x: Tensor, level: float, noise_shape: Optional[Sequence] = None, seed: Optional[int] = None) -> Tensor:
    """Sets entries in `x` to zero at random, while scaling the entire tensor by ``1 / (1 - level)``.

    # Arguments
        x: tensor
        level: fraction of the entries in the tensor that will be set to 0, in ``[0, 1)``.
        noise_shape: shape for randomly generated keep/drop flags, must be broadcastable to
            the shape of `x` (ints or int scalar tensors; a 1 shares a flag along that axis).
        seed: random seed to ensure determinism.

    # Returns
        A tensor, with a new mask at every call of the function.
    """
    if not 0.0 <= level < 1.0:
        raise ValueError(f"K.dropout: the dropout level must be in the interval [0, 1), got {level}")
    x = as_tensor(x)
    retain = 1.0 - level
    dims = shape_list(x)
    if noise_shape is not None:  # None entries take the size of x there
        if len(noise_shape) != x.ndim:
            raise ValueError(f"K.dropout: noise_shape {tuple(noise_shape)} does not fit an input of shape "
                             f"{format_shape(x.type.shape)}")
        dims = [d if n is None else n for d, n in zip(dims, noise_shape)]
    mask = random_binomial(dims, p=retain, dtype=x.dtype if x.type.is_float else floatx(), seed=seed)
    return x * mask / retain


@backend_function
def l2_normalize(x: Tensor, axis: Union[None, int, Sequence[int]] = None) -> Tensor:
    """Normalizes a tensor wrt the L2 norm alongside the specified axis.

    ``x / sqrt(max(sum(x ** 2, axis), 1e-12))``, as TensorFlow's ``l2_normalize``.

    # Arguments
        x: Tensor or variable.
        axis: axis along which to perform normalization (None: all axes).

    # Returns
        A tensor.
    """
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x / ops.sqrt(ops.maximum(square_sum, 1e-12))


@backend_function
def in_top_k(predictions: Tensor, targets: Tensor, k: int) -> Tensor:
    """Returns whether the `targets` are in the top `k` `predictions`.

    A target is in the top `k` when fewer than `k` classes have a strictly greater
    prediction (so ties at the k-th value count as in, like TensorFlow's ``in_top_k``).

    # Arguments
        predictions: A tensor of shape ``(batch_size, classes)`` and type float.
        targets: A 1D integer tensor of length `batch_size`.
        k: An `int`, number of top elements to consider.

    # Returns
        A 1D bool tensor of length `batch_size`.
    """
    predictions, targets = as_tensor(predictions), as_tensor(targets)
    if predictions.ndim != 2 or targets.ndim != 1:
        raise ValueError(
            f"K.in_top_k: expected predictions of shape (batch, classes) and targets of shape (batch,), got "
            f"{format_shape(predictions.type.shape)} and {format_shape(targets.type.shape)}"
        )
    if not targets.type.is_discrete:
        targets = ops.cast(targets, "int64")
    rows = ops.cumsum(ops.ones_like(targets, "int64")) - 1
    target_values = predictions[rows, targets]
    better = ops.sum(ops.cast(ops.gt(predictions, ops.expand_dims(target_values, 1)), "int64"), axis=1)
    return ops.lt(better, int(k))


def _broadcast_params(param, kept_axes: Sequence[int], ndim: int):
    """A parameter holding values for the `kept_axes` of an `ndim`-D tensor, with size-1 axes elsewhere.

    A parameter that already has `ndim` axes (or is None) is returned as is.
    """
    if param is None:
        return None
    param = as_tensor(param)
    if param.ndim == ndim:
        return param
    if param.ndim != len(kept_axes):
        raise ValueError(f"a parameter of shape {format_shape(param.type.shape)} does not fit axes "
                         f"{list(kept_axes)} of a {ndim}-D tensor")
    kept = iter(range(param.ndim))
    return ops.dimshuffle(param, tuple(next(kept) if i in kept_axes else "x" for i in range(ndim)))


@backend_function
def bias_add(x: Tensor, bias: Tensor, data_format: Optional[str] = None) -> Tensor:
    """Adds a bias vector to a tensor.

    # Arguments
        x: Tensor or variable.
        bias: Bias tensor to add: 1-D (one value per channel), or with ``ndim(x) - 1`` axes
            (a value per channel and position, channels last or first as `data_format` says).
        data_format: ``'channels_last'`` or ``'channels_first'`` (default: `image_data_format()`).

    # Returns
        Output tensor.

    # Raises
        ValueError: if the bias has neither 1 nor ``ndim(x) - 1`` axes.
    """
    x, bias = as_tensor(x), as_tensor(bias)
    data_format = normalize_data_format(data_format)
    if bias.ndim not in (1, x.ndim - 1):
        raise ValueError(
            f"K.bias_add: unexpected bias dimensions {bias.ndim} (shape {format_shape(bias.type.shape)}), "
            f"expected 1 or {x.ndim - 1} for an input of shape {format_shape(x.type.shape)}"
        )
    if data_format == "channels_first" and x.ndim > 2:
        if bias.ndim == 1:
            bias = _broadcast_params(bias, [1], x.ndim)
        else:  # the bias's channels are its last axis: move them to axis 1
            bias = ops.dimshuffle(bias, ("x", bias.ndim - 1) + tuple(range(bias.ndim - 1)))
    return x + bias


@backend_function
def batch_normalization(x: Tensor, mean: Tensor, var: Tensor, beta: Optional[Tensor], gamma: Optional[Tensor],
                        axis: int = -1, epsilon: float = 1e-3) -> Tensor:
    """Applies batch normalization on x given mean, var, beta and gamma.

    ``output = (x - mean) / sqrt(var + epsilon) * gamma + beta``.  Parameters with one axis
    hold one value per position along `axis`; those with ``ndim(x)`` axes broadcast as they are.

    # Arguments
        x: Input tensor or variable.
        mean: Mean of batch.
        var: Variance of batch.
        beta: Tensor with which to center the input (None: no centering).
        gamma: Tensor by which to scale the input (None: no scaling).
        axis: Integer, the axis that should be normalized (typically the features axis).
        epsilon: Fuzz factor.

    # Returns
        A tensor.
    """
    x = as_tensor(x)
    kept = normalize_axes("batch_normalization", axis, x.type.shape)
    mean, var, beta, gamma = (_broadcast_params(p, kept, x.ndim) for p in (mean, var, beta, gamma))
    scale = 1.0 / ops.sqrt(var + epsilon)
    if gamma is not None:
        scale = scale * gamma
    out = (x - mean) * scale
    return out if beta is None else out + beta


@backend_function
def normalize_batch_in_training(x: Tensor, gamma: Optional[Tensor], beta: Optional[Tensor],
                                reduction_axes: Sequence[int], epsilon: float = 1e-3) -> Tuple[Tensor, Tensor, Tensor]:
    """Computes mean and std for batch then apply batch_normalization on batch.

    # Arguments
        x: Input tensor or variable.
        gamma: Tensor by which to scale the input (None: no scaling).
        beta: Tensor with which to center the input (None: no centering).
        reduction_axes: iterable of integers, axes over which to normalize.
        epsilon: Fuzz factor.

    # Returns
        A tuple length of 3, ``(normalized_tensor, mean, variance)``; the mean and variance
        have the shape of `x` without the reduction axes.
    """
    x = as_tensor(x)
    reduced = normalize_axes("normalize_batch_in_training", tuple(reduction_axes), x.type.shape)
    kept = [i for i in range(x.ndim) if i not in reduced]
    mean, var = ops.mean(x, reduced), ops.var(x, reduced)
    normed = batch_normalization(x, _broadcast_params(mean, kept, x.ndim), _broadcast_params(var, kept, x.ndim),
                                 _broadcast_params(beta, kept, x.ndim), _broadcast_params(gamma, kept, x.ndim),
                                 axis=kept, epsilon=epsilon)
    return normed, mean, var
