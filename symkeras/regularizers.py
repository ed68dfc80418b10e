"""Built-in regularizers (Keras 2.2.4's ``keras.regularizers``).

A regularizer maps a weight (or a layer's output, for activity regularizers) to a
scalar penalty added to the model's loss.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Union

from symkeras import backend as K
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object


class Regularizer(object):
    """Regularizer base class."""

    def __call__(self, x) -> Any:
        return 0.0

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "Regularizer":
        return cls(**config)


class L1L2(Regularizer):
    """Regularizer for L1 and L2 regularization: ``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    # Arguments
        l1: Float; L1 regularization factor.
        l2: Float; L2 regularization factor.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = K.cast_to_floatx(l1)
        self.l2 = K.cast_to_floatx(l2)

    def __call__(self, x) -> Any:
        regularization = 0.0
        if self.l1:
            regularization += K.sum(self.l1 * K.abs(x))
        if self.l2:
            regularization += K.sum(self.l2 * K.square(x))
        return regularization

    def get_config(self) -> Dict[str, float]:
        return {"l1": float(self.l1), "l2": float(self.l2)}


def l1(l: float = 0.01) -> L1L2:
    """An L1 regularizer: ``l * sum(abs(x))``.

    # Arguments
        l: Float; L1 regularization factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l1=l)


def l2(l: float = 0.01) -> L1L2:
    """An L2 regularizer: ``l * sum(square(x))``.

    # Arguments
        l: Float; L2 regularization factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l2=l)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An L1 plus L2 regularizer.

    # Arguments
        l1: Float; L1 regularization factor.
        l2: Float; L2 regularization factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l1=l1, l2=l2)


def serialize(regularizer: Regularizer) -> Dict[str, Any]:
    """The Keras config of a regularizer.

    # Arguments
        regularizer: a `Regularizer`.

    # Returns
        ``{"class_name": ..., "config": ...}``.
    """
    return serialize_keras_object(regularizer)


def deserialize(config: Union[str, Dict[str, Any]], custom_objects: Optional[Dict[str, Any]] = None) -> Regularizer:
    """The regularizer of a Keras config.

    # Arguments
        config: ``{"class_name": ..., "config": ...}`` (``"l2"``… name the factory functions).
        custom_objects: user regularizers by name.

    # Returns
        The regularizer.
    """
    return deserialize_keras_object(config, module_objects=globals(), custom_objects=custom_objects,
                                    printable_module_name="regularizer")


def get(identifier: Any) -> Any:
    """The regularizer an identifier stands for.

    # Arguments
        identifier: None, a config dict, a name (``"l2"`` gives ``l2(0.01)``) or a callable.

    # Returns
        The regularizer, or None.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    if identifier is None:
        return None
    return get_from_identifier(identifier, deserialize, "regularizer")
