"""Built-in activation functions (Keras 2.2.4's ``keras.activations``)."""
from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Optional, Union

from symkeras import backend as K
from symkeras.utils.generic_utils import deserialize_keras_object

#: SELU's constants (Klambauer et al., 2017), as Keras writes them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def softmax(x, axis: int = -1):
    """Softmax activation function.

    # Arguments
        x: Input tensor.
        axis: Integer, axis along which the softmax normalization is applied.

    # Returns
        Tensor, output of softmax transformation.

    # Raises
        ValueError: In case `dim(x) == 1`.
    """
    if K.ndim(x) < 2:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return K.softmax(x, axis=axis)


def elu(x, alpha: float = 1.0):
    """Exponential linear unit.

    # Arguments
        x: Input tensor.
        alpha: A scalar, slope of negative section.

    # Returns
        The exponential linear activation: `x` if `x > 0` and `alpha * (exp(x)-1)` if `x < 0`.
    """
    return K.elu(x, alpha)


def selu(x):
    """Scaled Exponential Linear Unit (SELU).

    SELU is equal to: `scale * elu(x, alpha)`, where alpha and scale are predefined
    constants (`SELU_ALPHA`, `SELU_SCALE`) chosen so that the mean and variance of the
    inputs are preserved between two consecutive layers as long as the weights are
    initialized correctly (see `lecun_normal`) and the number of inputs is "large enough".

    # Arguments
        x: A tensor or variable to compute the activation function for.

    # Returns
        The scaled exponential unit activation: `scale * elu(x, alpha)`.
    """
    return SELU_SCALE * K.elu(x, SELU_ALPHA)


def softplus(x):
    """Softplus activation function.

    # Arguments
        x: Input tensor.

    # Returns
        The softplus activation: `log(exp(x) + 1)`.
    """
    return K.softplus(x)


def softsign(x):
    """Softsign activation function.

    # Arguments
        x: Input tensor.

    # Returns
        The softsign activation: `x / (abs(x) + 1)`.
    """
    return K.softsign(x)


def relu(x, alpha: float = 0.0, max_value: Optional[float] = None, threshold: float = 0.0):
    """Rectified Linear Unit.

    With default values, it returns element-wise `max(x, 0)`. Otherwise:
    `f(x) = max_value` for `x >= max_value`, `f(x) = x` for `threshold <= x < max_value`,
    `f(x) = alpha * (x - threshold)` otherwise.

    # Arguments
        x: Input tensor.
        alpha: float. Slope of the negative part. Defaults to zero.
        max_value: float. Saturation threshold.
        threshold: float. Threshold value for thresholded activation.

    # Returns
        A tensor.
    """
    return K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    """Hyperbolic tangent activation function.

    # Arguments
        x: Input tensor.

    # Returns
        The hyperbolic tangent of `x`.
    """
    return K.tanh(x)


def sigmoid(x):
    """Sigmoid activation function.

    # Arguments
        x: Input tensor.

    # Returns
        The sigmoid activation: `1 / (1 + exp(-x))`.
    """
    return K.sigmoid(x)


def hard_sigmoid(x):
    """Hard sigmoid activation function: faster to compute than sigmoid.

    # Arguments
        x: Input tensor.

    # Returns
        `0` if `x < -2.5`, `1` if `x > 2.5`, `0.2 * x + 0.5` in between.
    """
    return K.hard_sigmoid(x)


def exponential(x):
    """Exponential (base e) activation function.

    # Arguments
        x: Input tensor.

    # Returns
        `exp(x)`.
    """
    return K.exp(x)


def linear(x):
    """Linear (i.e. identity) activation function.

    # Arguments
        x: Input tensor.

    # Returns
        The input, unmodified.
    """
    return x


def serialize(activation: Callable) -> str:
    """The name of an activation function.

    # Arguments
        activation: a function of this module or a custom one.

    # Returns
        Its `__name__`.
    """
    return activation.__name__


def deserialize(name: str, custom_objects: Optional[Dict[str, Any]] = None) -> Callable:
    """The activation function of a given name.

    # Arguments
        name: a function name of this module, or of `custom_objects`.
        custom_objects: user activations by name.

    # Returns
        The function.

    # Raises
        ValueError: for an unknown name.
    """
    return deserialize_keras_object(name, module_objects=globals(), custom_objects=custom_objects,
                                    printable_module_name="activation function")


def _is_layer(obj: Any) -> bool:
    # By class name, because the engine imports this module (importing it here would be a cycle).
    return any(cls.__name__ == "Layer" and cls.__module__.startswith("symkeras.engine") for cls in type(obj).__mro__)


def get(identifier: Union[None, str, Callable]) -> Callable:
    """The activation function an identifier stands for.

    # Arguments
        identifier: None (linear), a function name, or a callable.

    # Returns
        The activation function.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        if _is_layer(identifier):
            warnings.warn(
                f"Do not pass a layer instance (such as {identifier.__class__.__name__}) as the activation argument "
                "of another layer. Instead, advanced activation layers should be used just like any other layer "
                "in a model."
            )
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")
