"""Core layers (Keras 2.2.4's ``keras.layers.core``): Dense, Activation, Dropout, Flatten, Reshape,
Permute, RepeatVector, Lambda, ActivityRegularization, Masking, SpatialDropout1D/2D/3D.
"""
from __future__ import annotations

import sys
import types
import warnings
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from symkeras import activations, constraints, initializers, regularizers
from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.layers.func_serialization import func_dump, func_load
from symkeras.legacy import interfaces
from symkeras.utils.generic_utils import deserialize_keras_object, has_arg

Shape = Tuple[Optional[int], ...]


class Dense(Layer):
    """Just your regular densely-connected NN layer.

    `Dense` implements ``output = activation(dot(input, kernel) + bias)``, where the
    kernel has the shape ``(input_dim, units)`` (Keras's layout) and the bias
    ``(units,)``.  An input of rank above 2 is multiplied along its last axis.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (name or callable); None means linear.
        use_bias: whether the layer uses a bias vector.
        kernel_initializer: initializer for the kernel weights matrix.
        bias_initializer: initializer for the bias vector.
        kernel_regularizer: regularizer function applied to the kernel.
        bias_regularizer: regularizer function applied to the bias vector.
        activity_regularizer: regularizer function applied to the output.
        kernel_constraint: constraint function applied to the kernel.
        bias_constraint: constraint function applied to the bias vector.
        input_dim: (first layer only) the size of the input's last axis.

    # Input shape
        nD tensor with shape ``(batch_size, ..., input_dim)``; most often a 2D input
        ``(batch_size, input_dim)``.

    # Output shape
        nD tensor with shape ``(batch_size, ..., units)``.

    # Example

    ```python
        model = Sequential()
        model.add(Dense(32, input_shape=(16,)))
        # now the model will take as input arrays of shape (*, 16)
        # and output arrays of shape (*, 32)
        model.add(Dense(32))
    ```
    """

    @interfaces.legacy_dense_support
    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "input_shape" not in kwargs and "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_dim"),)
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape: Shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the input to the Dense layer {self.name} should be defined. "
                             f"Found None (input shape {input_shape}).")
        self.kernel = self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        output = K.dot(inputs, self.kernel)
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format="channels_last")
        if self.activation is not None:
            output = self.activation(output)
        return output

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> Dict[str, Any]:
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        return {**super().get_config(), **config}


class Activation(Layer):
    """Applies an activation function to an output.

    # Arguments
        activation: name of the activation function to use (see `keras.activations`),
            or alternatively a function taking a tensor.

    # Input shape
        Arbitrary.  Use the keyword argument `input_shape` when using this layer as the
        first layer in a model.

    # Output shape
        Same shape as input.

    # Example

    ```python
        model.add(Dense(64))
        model.add(Activation('tanh'))
    ```
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Applies Dropout to the input.

    Dropout sets a fraction `rate` of input units to 0 at each update during training
    (and scales the others by ``1 / (1 - rate)``), which helps prevent overfitting.
    At test time it is the identity.

    # Arguments
        rate: float between 0 and 1, the fraction of the input units to drop.
        noise_shape: 1D integer tuple, the shape of the binary dropout mask that is
            multiplied with the input; ``None`` entries take the input's size.  For
            inputs ``(batch_size, timesteps, features)``, ``noise_shape=(batch_size, 1,
            features)`` drops the same features at every timestep.
        seed: a Python integer to use as random seed.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as input.

    # Example

    ```python
        model.add(Dense(512, activation='relu', input_shape=(784,)))
        model.add(Dropout(0.2))
    ```
    """

    @interfaces.legacy_dropout_support
    def __init__(self, rate: float, noise_shape: Optional[Sequence[Optional[int]]] = None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = min(1.0, max(0.0, float(rate)))
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        symbolic_shape = K.shape(inputs)
        return tuple(symbolic_shape[axis] if size is None else size for axis, size in enumerate(self.noise_shape))

    def call(self, inputs, training=None):
        if 0.0 < self.rate < 1.0:
            noise_shape = self._get_noise_shape(inputs)

            def dropped_inputs():
                return K.dropout(inputs, self.rate, noise_shape, seed=self.seed)

            return K.in_train_phase(dropped_inputs, inputs, training=training)
        return inputs

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one keep/drop flag per sample and channel."""

    #: number of axes of the input, batch included
    rank = 0

    @interfaces.legacy_spatialdropoutNd_support
    def __init__(self, rate: float, data_format: Optional[str] = None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank)

    def _get_noise_shape(self, inputs):
        shape = K.shape(inputs)
        channel_axis = 1 if self.data_format == "channels_first" else self.rank - 1
        return tuple(shape[axis] if axis in (0, channel_axis) else 1 for axis in range(self.rank))

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["noise_shape"]
        return {**config, "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Spatial 1D version of Dropout.

    Drops entire 1D feature maps instead of individual elements: when adjacent frames
    are strongly correlated (as in early convolution layers), regular dropout does not
    regularize the activations; SpatialDropout1D promotes independence between feature
    maps.

    # Arguments
        rate: float between 0 and 1, the fraction of the input units to drop.
        seed: a Python integer to use as random seed.

    # Input shape
        3D tensor with shape ``(samples, timesteps, channels)``.

    # Output shape
        Same as input.

    # Example

    ```python
        model.add(Conv1D(64, 3, input_shape=(100, 8)))
        model.add(SpatialDropout1D(0.2))
    ```
    """

    rank = 3

    @interfaces.legacy_spatialdropout1d_support
    def __init__(self, rate: float, **kwargs):
        super().__init__(rate, data_format="channels_last", **kwargs)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    """Spatial 2D version of Dropout: drops entire 2D feature maps.

    # Arguments
        rate: float between 0 and 1, the fraction of the input units to drop.
        data_format: ``'channels_first'`` or ``'channels_last'`` (default:
            `K.image_data_format()`, i.e. ``'channels_last'``): where the channels are.
        seed: a Python integer to use as random seed.

    # Input shape
        4D tensor with shape ``(samples, channels, rows, cols)`` if
        data_format='channels_first', or ``(samples, rows, cols, channels)`` if
        data_format='channels_last'.

    # Output shape
        Same as input.

    # Example

    ```python
        model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))
        model.add(SpatialDropout2D(0.25))
    ```
    """

    rank = 4


class SpatialDropout3D(_SpatialDropout):
    """Spatial 3D version of Dropout: drops entire 3D feature maps.

    # Arguments
        rate: float between 0 and 1, the fraction of the input units to drop.
        data_format: ``'channels_first'`` or ``'channels_last'`` (default:
            `K.image_data_format()`).
        seed: a Python integer to use as random seed.

    # Input shape
        5D tensor with shape ``(samples, channels, dim1, dim2, dim3)`` if
        data_format='channels_first', or ``(samples, dim1, dim2, dim3, channels)`` if
        data_format='channels_last'.

    # Output shape
        Same as input.

    # Example

    ```python
        model.add(SpatialDropout3D(0.25, input_shape=(8, 8, 8, 4)))
    ```
    """

    rank = 5


class Flatten(Layer):
    """Flattens the input.  Does not affect the batch size.

    # Arguments
        data_format: ``'channels_last'`` (default) or ``'channels_first'``: the order of
            the input's axes.  A channels_first input is transposed to channels_last
            order before flattening, so that weights move between the two formats.

    # Input shape
        nD tensor (n >= 3) ``(batch_size, ...)`` with fully defined non-batch axes.

    # Output shape
        2D tensor ``(batch_size, product of the other axes)``.

    # Example

    ```python
        model = Sequential()
        model.add(Conv2D(64, (3, 3), padding='same', input_shape=(3, 32, 32)))
        # now: model.output_shape == (None, 64, 32, 32)
        model.add(Flatten())
        # now: model.output_shape == (None, 65536)
    ```
    """

    def __init__(self, data_format: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=3)
        self.data_format = K.normalize_data_format(data_format)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if not all(input_shape[1:]):
            raise ValueError(f'The shape of the input to "Flatten" is not fully defined (got {input_shape[1:]} '
                             f'in layer {self.name}). Make sure to pass a complete "input_shape" or '
                             f'"batch_input_shape" argument to the first layer in your model.')
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def call(self, inputs):
        if self.data_format == "channels_first":
            ndim = K.ndim(inputs)
            inputs = K.permute_dimensions(inputs, (0,) + tuple(range(2, ndim)) + (1,))
        return K.batch_flatten(inputs)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes an output to a certain shape.

    # Arguments
        target_shape: target shape, a tuple of integers that does not include the batch
            axis; one entry may be -1 (inferred from the size of the input).

    # Input shape
        Arbitrary, although all dimensions in the input shape must be fixed.

    # Output shape
        ``(batch_size,) + target_shape``

    # Example

    ```python
        model = Sequential()
        model.add(Reshape((3, 4), input_shape=(12,)))
        # now: model.output_shape == (None, 3, 4)
        model.add(Reshape((-1, 2, 2)))
        # now: model.output_shape == (None, 3, 2, 2)
    ```
    """

    def __init__(self, target_shape: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape: Shape, output_shape: Shape) -> Shape:
        """The target shape with its -1 resolved, checking that the size is unchanged."""
        output_shape = list(output_shape)
        unknown = [i for i, dim in enumerate(output_shape) if dim < 0]
        if len(unknown) > 1:
            raise ValueError(f"Reshape layer {self.name}: can only specify one unknown dimension, "
                             f"got target shape {self.target_shape}.")
        known = int(np.prod([dim for dim in output_shape if dim >= 0], dtype=np.int64))
        original = int(np.prod(input_shape, dtype=np.int64))
        if unknown:
            if known == 0 or original % known != 0:
                raise ValueError(f"Reshape layer {self.name}: total size of new array must be unchanged "
                                 f"(cannot reshape {tuple(input_shape)} to {self.target_shape}).")
            output_shape[unknown[0]] = original // known
        elif original != known:
            raise ValueError(f"Reshape layer {self.name}: total size of new array must be unchanged "
                             f"(cannot reshape {tuple(input_shape)} to {self.target_shape}).")
        return tuple(output_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if None in input_shape[1:]:
            return (input_shape[0],) + tuple(dim if dim != -1 else None for dim in self.target_shape)
        return (input_shape[0],) + self._fix_unknown_dimension(input_shape[1:], self.target_shape)

    def call(self, inputs):
        input_shape = K.int_shape(inputs)
        if None not in input_shape[1:]:
            # a fully known target keeps the static shape of the result
            return K.reshape(inputs, (-1,) + self._fix_unknown_dimension(input_shape[1:], self.target_shape))
        return K.reshape(inputs, (K.shape(inputs)[0],) + self.target_shape)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the dimensions of the input according to a given pattern.

    Useful for e.g. connecting RNNs and convnets together.

    # Arguments
        dims: tuple of integers, the permutation pattern, not including the batch axis;
            indexing starts at 1.  ``(2, 1)`` swaps the first and second axes of the input.

    # Input shape
        Arbitrary, of rank ``len(dims) + 1``.

    # Output shape
        Same as the input shape, with the axes reordered by `dims`.

    # Example

    ```python
        model = Sequential()
        model.add(Permute((2, 1), input_shape=(10, 64)))
        # now: model.output_shape == (None, 64, 10)
    ```
    """

    def __init__(self, dims: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation `dims` for Permute layer {self.name}: {dims}. The set of indices "
                             f"in `dims` must be consecutive and start from 1.")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0],) + tuple(input_shape[dim] for dim in self.dims)

    def call(self, inputs):
        return K.permute_dimensions(inputs, (0,) + self.dims)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats the input n times.

    # Arguments
        n: integer, repetition factor.

    # Input shape
        2D tensor of shape ``(num_samples, features)``.

    # Output shape
        3D tensor of shape ``(num_samples, n, features)``.

    # Example

    ```python
        model = Sequential()
        model.add(Dense(32, input_dim=32))
        # now: model.output_shape == (None, 32)
        model.add(RepeatVector(3))
        # now: model.output_shape == (None, 3, 32)
    ```
    """

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return K.repeat(inputs, self.n)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "n": self.n}


class Lambda(Layer):
    """Wraps an arbitrary expression as a `Layer` object.

    # Arguments
        function: the function to evaluate; it takes the input tensor (or list of
            tensors) as first argument.
        output_shape: the expected output shape: a tuple without the batch axis, or a
            function of the input shape returning the whole output shape.  By default
            it is inferred by running `function` on placeholders.
        mask: either None (no masking), a tensor, or a function ``(inputs, mask) -> mask``.
        arguments: optional dictionary of keyword arguments passed to `function`.

    # Input shape
        Arbitrary.

    # Output shape
        Specified by the `output_shape` argument, or inferred.

    # Example

    ```python
        # add a x -> x^2 layer
        model.add(Lambda(lambda x: x ** 2))

        # add a layer that returns the concatenation of the positive part and the
        # negative part of the input
        def antirectifier(x):
            x -= K.mean(x, axis=1, keepdims=True)
            x = K.l2_normalize(x, axis=1)
            return K.concatenate([K.relu(x), K.relu(-x)], axis=1)

        def antirectifier_output_shape(input_shape):
            shape = list(input_shape)
            shape[-1] *= 2
            return tuple(shape)

        model.add(Lambda(antirectifier, output_shape=antirectifier_output_shape))
    ```
    """

    def __init__(self, function: Callable, output_shape=None, mask=None, arguments: Optional[Dict[str, Any]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments) if arguments else {}
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        if output_shape is None or callable(output_shape):
            self._output_shape = output_shape
        elif isinstance(output_shape, (tuple, list)):
            self._output_shape = tuple(output_shape)
        else:
            raise TypeError(f"In Lambda layer {self.name}, `output_shape` must be a list, a tuple, or a function; "
                            f"got {output_shape!r}.")

    def call(self, inputs, mask=None):
        arguments = dict(self.arguments)
        if has_arg(self.function, "mask"):
            arguments["mask"] = mask
        outputs = self.function(inputs, **arguments)
        # the static shape of what the function built: the output shape, unless `output_shape` says otherwise
        self._last_shapes = (_static_shape(inputs), _static_shape(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            last = getattr(self, "_last_shapes", None)
            if last is None or last[0] != input_shape:
                # run the function on placeholders of that shape (without a mask)
                if isinstance(input_shape, list):
                    self.call([K.placeholder(shape=shape, dtype=self.dtype) for shape in input_shape])
                else:
                    self.call(K.placeholder(shape=input_shape, dtype=self.dtype))
            return self._last_shapes[1]
        if isinstance(self._output_shape, tuple):
            first = input_shape[0] if isinstance(input_shape, list) else input_shape
            return (first[0] if first else None,) + self._output_shape
        shape = self._output_shape(input_shape)
        if not isinstance(shape, (list, tuple)):
            raise ValueError(f"In Lambda layer {self.name}, the `output_shape` function must return a tuple or a "
                             f"list of tuples; got {shape!r}.")
        if isinstance(shape, list) and (not shape or isinstance(shape[0], int) or shape[0] is None):
            shape = tuple(shape)
        return shape

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self) -> Dict[str, Any]:
        function, function_type, module = _serialize_function(self.function)
        if callable(self._output_shape):
            output_shape, output_shape_type, output_shape_module = _serialize_function(self._output_shape)
        else:
            output_shape, output_shape_type, output_shape_module = self._output_shape, "raw", None
        arguments = {key: {"type": "ndarray", "value": value.tolist()} if isinstance(value, np.ndarray) else value
                     for key, value in self.arguments.items()}
        config = {"function": function, "module": module, "function_type": function_type,
                  "output_shape": output_shape, "output_shape_type": output_shape_type,
                  "output_shape_module": output_shape_module, "arguments": arguments}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None) -> "Lambda":
        config = dict(config)
        config["function"] = _deserialize_function(config.pop("function"), config.pop("function_type"),
                                                   config.pop("module", None), custom_objects)
        output_shape_type = config.pop("output_shape_type", "raw")
        output_shape_module = config.pop("output_shape_module", None)
        if output_shape_type != "raw":
            config["output_shape"] = _deserialize_function(config["output_shape"], output_shape_type,
                                                           output_shape_module, custom_objects)
        config["arguments"] = {
            key: np.array(value["value"]) if isinstance(value, dict) and value.get("type") == "ndarray" else value
            for key, value in (config.get("arguments") or {}).items()}
        return cls(**config)


def _static_shape(tensors):
    """The static shape of a tensor, or a list of shapes for a list or tuple of tensors."""
    if isinstance(tensors, (list, tuple)):
        return [K.int_shape(x) for x in tensors]
    return K.int_shape(tensors)


def _serialize_function(func: Callable) -> Tuple[Any, str, Optional[str]]:
    """``(data, type, module)``: a module-level named function by name, anything else as bytecode."""
    module = getattr(func, "__module__", None)
    name = getattr(func, "__name__", None)
    if name and not getattr(func, "__closure__", None) and getattr(sys.modules.get(module), name, None) is func:
        return name, "function", module
    if not isinstance(func, types.FunctionType):
        raise ValueError(f"Cannot serialize {func!r} in a Lambda layer config: pass a function.")
    return func_dump(func), "lambda", module


def _deserialize_function(data: Any, function_type: str, module: Optional[str],
                          custom_objects: Optional[Dict[str, Any]]) -> Callable:
    """The function a Lambda config names or holds (its module's globals as its globals)."""
    globs: Dict[str, Any] = {}
    if module in sys.modules:
        globs.update(vars(sys.modules[module]))
    elif module is not None:
        warnings.warn(f"{module} is not loaded, but a Lambda layer uses it. It may cause errors.", UserWarning,
                      stacklevel=3)
    globs.update(custom_objects or {})
    if function_type == "function":
        return deserialize_keras_object(data, module_objects=globs, custom_objects=custom_objects,
                                        printable_module_name="function in Lambda layer")
    if function_type == "lambda":
        return func_load(data, globs=globs)
    raise TypeError(f"Unknown function type in a Lambda layer config: {function_type!r}")


class ActivityRegularization(Layer):
    """Layer that applies an update to the cost function based on the input activity.

    # Arguments
        l1: L1 regularization factor (positive float).
        l2: L2 regularization factor (positive float).

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as input.

    # Example

    ```python
        model.add(Dense(64, activation='relu'))
        model.add(ActivityRegularization(l1=1e-5))
    ```
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps.

    For each timestep of the input (axis 1), if all values at that timestep equal
    `mask_value`, the timestep is masked (skipped) in all downstream layers that
    support masking; such a layer that does not support masking raises an error.

    # Arguments
        mask_value: the value that marks a timestep to skip.

    # Input shape
        Arbitrary, usually ``(samples, timesteps, features)``.

    # Output shape
        Same shape as input (masked timesteps are zeros).

    # Example

    ```python
        model = Sequential()
        model.add(Masking(mask_value=0., input_shape=(timesteps, features)))
        model.add(LSTM(32))
    ```
    """

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return K.any(K.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        boolean_mask = K.any(K.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * K.cast(boolean_mask, K.dtype(inputs))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
