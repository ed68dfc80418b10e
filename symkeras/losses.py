"""Built-in loss functions (Keras 2.2.4's ``keras.losses``; ``keras.objectives`` is an alias).

Every loss is a function ``f(y_true, y_pred)`` of two tensors of the same shape (integer
labels for `sparse_categorical_crossentropy`) returning one value per sample: the mean
(or sum) over the last axis.  The training engine applies sample and class weights and
masks, then averages over the batch.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional, Union

from symkeras import backend as K
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object


def mean_squared_error(y_true, y_pred):
    """Mean of the squared differences over the last axis.

    # Arguments
        y_true: tensor of true targets.
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of the absolute differences over the last axis.

    # Arguments
        y_true: tensor of true targets.
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / clip(abs(y_true), epsilon, None)))`` over the last axis.

    # Arguments
        y_true: tensor of true targets.
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), None))
    return 100.0 * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean squared difference of ``log(clip(y, epsilon, None) + 1)`` over the last axis.

    # Arguments
        y_true: tensor of true targets.
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    first_log = K.log(K.clip(y_pred, K.epsilon(), None) + 1.0)
    second_log = K.log(K.clip(y_true, K.epsilon(), None) + 1.0)
    return K.mean(K.square(first_log - second_log), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(square(max(1 - y_true * y_pred, 0)))`` over the last axis; targets are -1 or 1.

    # Arguments
        y_true: tensor of true targets (-1 or 1).
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.mean(K.square(K.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0))`` over the last axis; targets are -1 or 1.

    # Arguments
        y_true: tensor of true targets (-1 or 1).
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.mean(K.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1)`` along the last axis.

    # Arguments
        y_true: tensor of one-hot true targets.
        y_pred: tensor of predicted scores.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    pos = K.sum(y_true * y_pred, axis=-1)
    neg = K.max((1.0 - y_true) * y_pred, axis=-1)
    return K.maximum(0.0, neg - pos + 1.0)


def logcosh(y_true, y_pred):
    """Logarithm of the hyperbolic cosine of the prediction error.

    `log(cosh(x))` is approximately equal to `(x ** 2) / 2` for small `x` and to
    `abs(x) - log(2)` for large `x`: it works mostly like the mean squared error, but
    is not so strongly affected by the occasional wildly incorrect prediction.  It is
    computed as ``x + softplus(-2x) - log(2)``, finite for any `x`.

    # Arguments
        y_true: tensor of true targets.
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    x = y_pred - y_true
    return K.mean(x + K.softplus(-2.0 * x) - math.log(2.0), axis=-1)


def categorical_crossentropy(y_true, y_pred):
    """Categorical crossentropy between one-hot (or soft) targets and predicted probabilities.

    # Arguments
        y_true: tensor of target distributions along the last axis.
        y_pred: tensor of predicted probabilities (e.g. a softmax output).

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.categorical_crossentropy(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    """Categorical crossentropy from integer targets.

    # Arguments
        y_true: tensor of class indices, of shape ``(batch,)``, ``(batch, 1)`` or ``(batch, time, 1)``.
        y_pred: tensor of predicted probabilities along the last axis.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.sparse_categorical_crossentropy(y_true, y_pred)


def binary_crossentropy(y_true, y_pred):
    """Mean over the last axis of the elementwise binary crossentropy on probabilities.

    # Arguments
        y_true: tensor of targets in [0, 1].
        y_pred: tensor of predicted probabilities (e.g. a sigmoid output).

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.mean(K.binary_crossentropy(y_true, y_pred), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred))`` over the last axis, both clipped to [epsilon, 1].

    # Arguments
        y_true: tensor of target distributions.
        y_pred: tensor of predicted distributions.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + epsilon))`` over the last axis.

    # Arguments
        y_true: tensor of observed counts.
        y_pred: tensor of predicted rates.

    # Returns
        Tensor with one scalar loss entry per sample.
    """
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred):
    """Negative cosine similarity of the vectors along the last axis.

    # Arguments
        y_true: tensor of true targets.
        y_pred: tensor of predicted targets.

    # Returns
        Tensor with one scalar loss entry per sample (-1 for parallel vectors).
    """
    y_true = K.l2_normalize(y_true, axis=-1)
    y_pred = K.l2_normalize(y_pred, axis=-1)
    return -K.sum(y_true * y_pred, axis=-1)


# Aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity


def serialize(loss: Callable) -> Union[str, Dict[str, Any]]:
    """The name of a loss function (or the config of a loss object).

    # Arguments
        loss: a loss function.

    # Returns
        Its name.
    """
    return serialize_keras_object(loss)


def deserialize(name: Union[str, Dict[str, Any]], custom_objects: Optional[Dict[str, Any]] = None) -> Callable:
    """The loss function of a given name.

    # Arguments
        name: a function name or alias of this module, or of `custom_objects`.
        custom_objects: user losses by name.

    # Returns
        The loss function.
    """
    return deserialize_keras_object(name, module_objects=globals(), custom_objects=custom_objects,
                                    printable_module_name="loss function")


def get(identifier: Any) -> Optional[Callable]:
    """The loss function an identifier stands for.

    # Arguments
        identifier: None, a name (``"mse"``, ``"categorical_crossentropy"``…), a config dict or a callable.

    # Returns
        The loss function, or None.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    if identifier is None:
        return None
    return get_from_identifier(identifier, deserialize, "loss function", names_are_classes=False)
