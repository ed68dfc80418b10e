"""Built-in weight constraints (Keras 2.2.4's ``keras.constraints``).

A constraint projects a weight's new value after each optimizer update
(``new_p = p.constraint(new_p)`` in `symkeras.optimizers`).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Union

from symkeras import backend as K
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object


class Constraint(object):
    """Constraint base class: the identity projection."""

    def __call__(self, w) -> Any:
        return w

    def get_config(self) -> Dict[str, Any]:
        return {}


def _norms(w, axis):
    """The L2 norms of `w` along `axis`, kept as size-1 axes."""
    return K.sqrt(K.sum(K.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """MaxNorm weight constraint.

    Constrains the weights incident to each hidden unit to have a norm less than or
    equal to a desired value.

    # Arguments
        max_value: the maximum norm for the incoming weights.
        axis: integer, axis along which to calculate weight norms. For instance, in a
            `Dense` layer the weight matrix has shape `(input_dim, output_dim)`: set
            `axis` to `0` to constrain each weight vector of length `(input_dim,)`.
            In a `Conv2D` layer with `data_format="channels_last"`, the weight tensor
            has shape `(rows, cols, input_depth, output_depth)`: set `axis` to
            `[0, 1, 2]` to constrain the weights of each filter tensor.

    # References
        - [Dropout: A Simple Way to Prevent Neural Networks from Overfitting
           Srivastava, Hinton, et al. 2014](http://www.cs.toronto.edu/~rsalakhu/papers/srivastava14a.pdf)
    """

    def __init__(self, max_value: float = 2, axis: Any = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w) -> Any:
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self) -> Dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Constrains the weights to be non-negative."""

    def __call__(self, w) -> Any:
        return w * K.cast(K.greater_equal(w, 0.0), K.floatx())


class UnitNorm(Constraint):
    """Constrains the weights incident to each hidden unit to have unit norm.

    # Arguments
        axis: integer, axis along which to calculate weight norms (see `MaxNorm`).
    """

    def __init__(self, axis: Any = 0):
        self.axis = axis

    def __call__(self, w) -> Any:
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self) -> Dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """MinMaxNorm weight constraint.

    Constrains the weights incident to each hidden unit to have the norm between a
    lower bound and an upper bound.

    # Arguments
        min_value: the minimum norm for the incoming weights.
        max_value: the maximum norm for the incoming weights.
        rate: rate for enforcing the constraint: weights will be rescaled to yield
            `(1 - rate) * norm + rate * norm.clip(min_value, max_value)`. Effectively,
            this means that rate=1.0 stands for strict enforcement of the constraint,
            while rate<1.0 means that weights will be rescaled at each step to slowly
            move towards a value inside the desired interval.
        axis: integer, axis along which to calculate weight norms (see `MaxNorm`).
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w) -> Any:
        norms = _norms(w, self.axis)
        desired = self.rate * K.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (K.epsilon() + norms))

    def get_config(self) -> Dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


# Aliases.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

# Legacy aliases.
maxnorm = max_norm
nonneg = non_neg
unitnorm = unit_norm


def serialize(constraint: Constraint) -> Dict[str, Any]:
    """The Keras config of a constraint.

    # Arguments
        constraint: a `Constraint`.

    # Returns
        ``{"class_name": ..., "config": ...}``.
    """
    return serialize_keras_object(constraint)


def deserialize(config: Union[str, Dict[str, Any]], custom_objects: Optional[Dict[str, Any]] = None) -> Constraint:
    """The constraint of a Keras config.

    # Arguments
        config: ``{"class_name": ..., "config": ...}`` (aliases such as ``"max_norm"`` accepted).
        custom_objects: user constraints by name.

    # Returns
        The constraint.
    """
    return deserialize_keras_object(config, module_objects=globals(), custom_objects=custom_objects,
                                    printable_module_name="constraint")


def get(identifier: Any) -> Any:
    """The constraint an identifier stands for.

    # Arguments
        identifier: None, a config dict, a name (``"max_norm"``, ``"non_neg"``…) or a callable.

    # Returns
        The constraint, or None.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    if identifier is None:
        return None
    return get_from_identifier(identifier, deserialize, "constraint")
