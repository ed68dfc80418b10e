"""Advanced activation layers (Keras 2.2.4's ``keras.layers.advanced_activations``): LeakyReLU, PReLU, ELU,
ThresholdedReLU, Softmax, ReLU — activations with parameters of their own (PReLU's are learned).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from symkeras import activations, constraints, initializers, regularizers
from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.legacy.interfaces import generate_legacy_interface

Shape = Tuple[Optional[int], ...]

#: Keras 1's ``PReLU(init=)``
legacy_prelu_support = generate_legacy_interface(allowed_positional_args=["alpha_initializer"],
                                                 conversions=[("init", "alpha_initializer")])


class _ElementwiseActivation(Layer):
    """An activation layer: same output shape as its input, masks pass through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class LeakyReLU(_ElementwiseActivation):
    """Leaky version of a Rectified Linear Unit.

    It allows a small gradient when the unit is not active:
    ``f(x) = alpha * x for x < 0``, ``f(x) = x for x >= 0``.

    # Arguments
        alpha: float >= 0. Negative slope coefficient.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as the input.

    # Example

    ```python
        model.add(Dense(64, input_shape=(16,)))
        model.add(LeakyReLU(alpha=0.1))
    ```

    # References
        - [Rectifier Nonlinearities Improve Neural Network Acoustic Models](
           https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf)
    """

    def __init__(self, alpha: float = 0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(K.cast_to_floatx(alpha))

    def call(self, inputs):
        return K.relu(inputs, alpha=self.alpha)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_ElementwiseActivation):
    """Parametric Rectified Linear Unit.

    It follows: ``f(x) = alpha * x for x < 0``, ``f(x) = x for x >= 0``, where `alpha` is a
    learned array with the same shape as x (the batch axis aside).

    # Arguments
        alpha_initializer: initializer function for the weights.
        alpha_regularizer: regularizer for the weights.
        alpha_constraint: constraint for the weights.
        shared_axes: the axes along which to share learnable parameters for the activation
            function.  For example, if the incoming feature maps are from a 2D convolution
            with output shape `(batch, height, width, channels)`, and you wish to share
            parameters across space so that each filter only has one set of parameters, set
            `shared_axes=[1, 2]`.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as the input.

    # Weights
        ``alpha``: the input shape without the batch axis, with 1 on the shared axes.

    # Example

    ```python
        model.add(Conv2D(16, (3, 3), input_shape=(28, 28, 1)))
        model.add(PReLU(shared_axes=[1, 2]))  # alpha has shape (1, 1, 16)
    ```

    # References
        - [Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
           Classification](https://arxiv.org/abs/1502.01852)
    """

    @legacy_prelu_support
    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes: Union[None, int, Sequence[int]] = None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes: Optional[List[int]] = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        shared = set(self.shared_axes or [])
        bad = sorted(axis for axis in shared if not 1 <= axis < ndim)
        if bad:
            raise ValueError(f"PReLU layer {self.name}: shared_axes {self.shared_axes} must be axes 1 to {ndim - 1} "
                             f"of the input of shape {tuple(input_shape)} (the batch axis 0 is always shared); "
                             f"got {bad}")
        param_shape = [1 if axis in shared else input_shape[axis] for axis in range(1, ndim)]
        if None in param_shape:
            raise ValueError(f"PReLU layer {self.name}: the input shape {tuple(input_shape)} has an undefined axis "
                             f"that is not in shared_axes ({self.shared_axes}); alpha needs every other size.")
        self.alpha = self.add_weight(shape=param_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {axis: input_shape[axis] for axis in range(1, ndim) if axis not in shared} if shared else {}
        self.input_spec = InputSpec(ndim=ndim, axes=axes)
        self.built = True

    def call(self, inputs, mask=None):
        return K.relu(inputs) - self.alpha * K.relu(-inputs)

    def get_config(self) -> Dict[str, Any]:
        config = {
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
        return {**super().get_config(), **config}


class ELU(_ElementwiseActivation):
    """Exponential Linear Unit.

    It follows: ``f(x) = alpha * (exp(x) - 1.) for x < 0``, ``f(x) = x for x >= 0``.

    # Arguments
        alpha: scale for the negative factor.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as the input.

    # Example

    ```python
        model.add(Dense(64, input_shape=(16,)))
        model.add(ELU(alpha=0.5))
    ```

    # References
        - [Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)](
           https://arxiv.org/abs/1511.07289v1)
    """

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(K.cast_to_floatx(alpha))

    def call(self, inputs):
        return K.elu(inputs, self.alpha)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(_ElementwiseActivation):
    """Thresholded Rectified Linear Unit.

    It follows: ``f(x) = x for x > theta``, ``f(x) = 0 otherwise``.

    # Arguments
        theta: float >= 0. Threshold location of activation.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as the input.

    # Example

    ```python
        model.add(Dense(64, input_shape=(16,)))
        model.add(ThresholdedReLU(theta=0.5))
    ```

    # References
        - [Zero-Bias Autoencoders and the Benefits of Co-Adapting Features](
           https://arxiv.org/abs/1402.3337)
    """

    def __init__(self, theta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = float(K.cast_to_floatx(theta))

    def call(self, inputs, mask=None):
        return inputs * K.cast(K.greater(inputs, self.theta), K.dtype(inputs))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "theta": self.theta}


class Softmax(_ElementwiseActivation):
    """Softmax activation function.

    # Arguments
        axis: Integer, axis along which the softmax normalization is applied.

    # Input shape
        Arbitrary (at least 2 axes). Use the keyword argument `input_shape` (tuple of
        integers, does not include the samples axis) when using this layer as the first
        layer in a model.

    # Output shape
        Same shape as the input.

    # Example

    ```python
        model.add(Dense(10, input_shape=(16,)))
        model.add(Softmax())
    ```
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return activations.softmax(inputs, axis=self.axis)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class ReLU(_ElementwiseActivation):
    """Rectified Linear Unit activation function.

    With default values, it returns element-wise ``max(x, 0)``.  Otherwise:
    ``f(x) = max_value`` for ``x >= max_value``, ``f(x) = x`` for
    ``threshold <= x < max_value``, ``f(x) = negative_slope * (x - threshold)`` otherwise.

    # Arguments
        max_value: float >= 0. Maximum activation value (None: unbounded).
        negative_slope: float >= 0. Negative slope coefficient.
        threshold: float. Threshold value for thresholded activation.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as the input.

    # Example

    ```python
        model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 3)))
        model.add(ReLU(6.))  # MobileNet's ReLU6
    ```
    """

    def __init__(self, max_value: Optional[float] = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of Relu layer cannot be negative value: {max_value}")
        if negative_slope < 0.0:
            raise ValueError(f"negative_slope of Relu layer cannot be negative value: {negative_slope}")
        self.max_value = None if max_value is None else float(K.cast_to_floatx(max_value))
        self.negative_slope = float(K.cast_to_floatx(negative_slope))
        self.threshold = float(K.cast_to_floatx(threshold))

    def call(self, inputs):
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value, threshold=self.threshold)

    def get_config(self) -> Dict[str, Any]:
        config = {"max_value": self.max_value, "negative_slope": self.negative_slope, "threshold": self.threshold}
        return {**super().get_config(), **config}
