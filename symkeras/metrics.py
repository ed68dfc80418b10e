"""Built-in metrics (Keras 2.2.4's ``keras.metrics``).

A metric is a function ``f(y_true, y_pred)`` returning one value per sample, like a
loss; the training engine averages it over the batch (and over the batches of an
epoch).  Every loss function is also a metric.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Union

from symkeras import backend as K
from symkeras.losses import (  # noqa: F401 (the losses are metrics too)
    KLD, MAE, MAPE, MSE, MSLE, binary_crossentropy, categorical_crossentropy, categorical_hinge, cosine,
    cosine_proximity, hinge, kld, kullback_leibler_divergence, logcosh, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle, poisson,
    sparse_categorical_crossentropy, squared_hinge,
)
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object


def _as_floatx(condition):
    """1.0 where a boolean tensor holds, 0.0 elsewhere."""
    return K.cast(condition, K.floatx())


def binary_accuracy(y_true, y_pred):
    """Mean over the last axis of ``y_true == round(y_pred)`` (a 0.5 threshold).

    # Arguments
        y_true: tensor of 0/1 targets.
        y_pred: tensor of predicted probabilities.

    # Returns
        Tensor with one accuracy per sample.
    """
    return K.mean(_as_floatx(K.equal(y_true, K.round(y_pred))), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """Whether the argmax of the prediction is the argmax of the one-hot target.

    # Arguments
        y_true: tensor of one-hot targets.
        y_pred: tensor of predicted scores along the last axis.

    # Returns
        Tensor of 1.0 (hit) or 0.0 per sample.
    """
    return _as_floatx(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))


def _labels_like_rows(y_true, y_pred):
    """Integer targets shaped like `y_pred` without its class axis (a trailing axis of 1 dropped)."""
    if K.ndim(y_true) == K.ndim(y_pred):
        y_true = K.squeeze(y_true, -1)
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """Whether the argmax of the prediction is the integer target.

    # Arguments
        y_true: tensor of class indices, of shape ``(batch,)`` or ``(batch, 1)``
            (``(batch, time, 1)`` for sequences).
        y_pred: tensor of predicted scores along the last axis.

    # Returns
        Tensor of 1.0 (hit) or 0.0 per sample.
    """
    y_true = _labels_like_rows(y_true, y_pred)
    return _as_floatx(K.equal(K.cast(y_true, K.floatx()), K.cast(K.argmax(y_pred, axis=-1), K.floatx())))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    """Whether the target class (argmax of the one-hot target) is among the `k` top predictions.

    # Arguments
        y_true: tensor of one-hot targets, shape ``(batch, classes)``.
        y_pred: tensor of predicted scores, shape ``(batch, classes)``.
        k: number of top predictions that count as a hit.

    # Returns
        Tensor of 1.0 (hit) or 0.0 per sample (Keras 2.2.4 returns the batch mean;
        the engine's average is the same).
    """
    return _as_floatx(K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    """Whether the integer target is among the `k` top predictions.

    # Arguments
        y_true: tensor of class indices, shape ``(batch,)`` or ``(batch, 1)``.
        y_pred: tensor of predicted scores, shape ``(batch, classes)``.
        k: number of top predictions that count as a hit.

    # Returns
        Tensor of 1.0 (hit) or 0.0 per sample (see `top_k_categorical_accuracy`).
    """
    return _as_floatx(K.in_top_k(y_pred, K.cast(K.flatten(y_true), "int32"), k))


def serialize(metric: Callable) -> Union[str, Dict[str, Any]]:
    """The name of a metric function.

    # Arguments
        metric: a metric function.

    # Returns
        Its name.
    """
    return serialize_keras_object(metric)


def deserialize(config: Union[str, Dict[str, Any]], custom_objects: Optional[Dict[str, Any]] = None) -> Callable:
    """The metric function of a given name.

    # Arguments
        config: a function name or alias of this module, or of `custom_objects`.
        custom_objects: user metrics by name.

    # Returns
        The metric function.
    """
    return deserialize_keras_object(config, module_objects=globals(), custom_objects=custom_objects,
                                    printable_module_name="metric function")


def get(identifier: Any) -> Callable:
    """The metric function an identifier stands for.

    ``"accuracy"``/``"acc"`` are not names of this module: ``Model.compile`` resolves
    them from the output shape and the loss.

    # Arguments
        identifier: a name, a config dict or a callable.

    # Returns
        The metric function.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    return get_from_identifier(identifier, deserialize, "metric function", names_are_classes=False)
