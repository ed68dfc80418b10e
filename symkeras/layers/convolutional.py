"""Convolutional layers (Keras 2.2.4's ``keras.layers.convolutional``): Conv1D/2D/3D, Conv2DTranspose,
Conv3DTranspose, SeparableConv1D/2D, DepthwiseConv2D, UpSampling1D/2D/3D, ZeroPadding1D/2D/3D,
Cropping1D/2D/3D and their aliases.

Kernels keep Keras's layout whatever the `data_format`: ``(*kernel_size, in, filters)``
(transposed: ``(*kernel_size, filters, in)``), so weights interchange with Keras files.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from symkeras import activations, constraints, initializers, regularizers
from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.legacy import interfaces
from symkeras.legacy.layers import AtrousConvolution1D, AtrousConvolution2D  # noqa: F401  (Keras 2.2.4's names here)
from symkeras.ops.conv import check_padding, deconv_length, normalize_tuple, window_geometry
from symkeras.ops.pool import padding_pairs

Shape = Tuple[Optional[int], ...]


def conv_output_length(size: Optional[int], window: int, padding: str, stride: int, dilation: int = 1) -> Optional[int]:
    """The output length of a convolution or pooling window over `size` elements (None stays None)."""
    return None if size is None else window_geometry(size, window, stride, dilation, padding)[0]


def spatial_axes(rank: int, data_format: str) -> List[int]:
    """The axes of the `rank` spatial dims of a ``(batch, *spatial, channels)`` (or channels-first) tensor."""
    first = 2 if data_format == "channels_first" else 1
    return list(range(first, first + rank))


def with_spatial(input_shape: Shape, space: Sequence[Optional[int]], channels: Optional[int],
                 data_format: str) -> Shape:
    """A ``(batch, ...)`` shape with new spatial sizes and channels, in `data_format` order."""
    if data_format == "channels_first":
        return (input_shape[0], channels) + tuple(space)
    return (input_shape[0],) + tuple(space) + (channels,)


def channel_axis(data_format: str) -> int:
    return 1 if data_format == "channels_first" else -1


#: each weight-bearing argument of the convolutional layers and the module that resolves and serializes it
WEIGHT_ARGUMENTS = {
    "activation": activations, "kernel_initializer": initializers, "bias_initializer": initializers,
    "kernel_regularizer": regularizers, "bias_regularizer": regularizers, "activity_regularizer": regularizers,
    "kernel_constraint": constraints, "bias_constraint": constraints,
    "depthwise_initializer": initializers, "pointwise_initializer": initializers,
    "depthwise_regularizer": regularizers, "pointwise_regularizer": regularizers,
    "depthwise_constraint": constraints, "pointwise_constraint": constraints,
}
COMMON_WEIGHT_ARGUMENTS = tuple(WEIGHT_ARGUMENTS)[:8]


def set_weight_arguments(layer: Layer, **arguments) -> None:
    """Weight-bearing arguments (names of `WEIGHT_ARGUMENTS`) as attributes of `layer`, resolved by their `get`."""
    for name, value in arguments.items():
        setattr(layer, name, WEIGHT_ARGUMENTS[name].get(value))


def weight_arguments_config(layer: Layer, names: Sequence[str] = COMMON_WEIGHT_ARGUMENTS) -> Dict[str, Any]:
    """The weight-bearing arguments `names` of `layer`, serialized as in a Keras config."""
    return {name: WEIGHT_ARGUMENTS[name].serialize(getattr(layer, name)) for name in names}


class _Conv(Layer):
    """Abstract N-D convolution (``rank`` 1, 2 or 3): the arguments, weights and shapes every convolution shares.

    Subclasses change the kernel shape (`_kernel_shape`), the product (`_convolve`), the
    output sizes (`_output_space`) and the output channels (`_output_channels`).
    """

    def __init__(self, rank: int, filters: Optional[int], kernel_size, strides=1, padding: str = "valid",
                 data_format: Optional[str] = None, dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = None if filters is None else int(filters)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = check_padding(padding, rank)
        self.data_format = K.normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.use_bias = use_bias
        set_weight_arguments(self, activation=activation, kernel_initializer=kernel_initializer,
                             bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                             bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                             kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _input_dim(self, input_shape: Shape) -> int:
        input_dim = input_shape[channel_axis(self.data_format)]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} layer {self.name}: the channel dimension of the inputs should be "
                             f"defined. Found `None` (input shape {tuple(input_shape)}, {self.data_format}).")
        return input_dim

    def _kernel_shape(self, input_dim: int) -> Tuple[int, ...]:
        return self.kernel_size + (input_dim, self.filters)

    def _output_channels(self, input_dim: Optional[int]) -> Optional[int]:
        return self.filters

    def _output_space(self, input_shape: Shape) -> List[Optional[int]]:
        """The output's spatial sizes; a kernel that does not fit is an error naming the layer and the shapes."""
        space = [input_shape[a] for a in spatial_axes(self.rank, self.data_format)]
        lengths = [conv_output_length(n, k, self.padding, s, d)
                   for n, k, s, d in zip(space, self.kernel_size, self.strides, self.dilation_rate)]
        if any(n is not None and n < 1 for n in lengths):
            raise ValueError(f"{type(self).__name__} layer {self.name}: a kernel of size {self.kernel_size} (dilation "
                             f"{self.dilation_rate}) does not fit the input of shape {tuple(input_shape)} with "
                             f"{self.padding!r} padding (the output would have spatial size {tuple(lengths)}).")
        return lengths

    def build(self, input_shape: Shape) -> None:
        input_dim = self._input_dim(input_shape)
        self._output_space(input_shape)
        self._build_weights(input_shape, input_dim)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis(self.data_format): input_dim})
        self.built = True

    def _build_weights(self, input_shape: Shape, input_dim: int) -> None:
        self.kernel = self.add_weight(shape=self._kernel_shape(input_dim), initializer=self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._build_bias(self.filters)

    def _build_bias(self, size: int) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(size,), initializer=self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _convolve(self, inputs):
        conv = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}[self.rank]
        unpack = (lambda t: t[0]) if self.rank == 1 else tuple
        return conv(inputs, self.kernel, strides=unpack(self.strides), padding=self.padding,
                    data_format=self.data_format, dilation_rate=unpack(self.dilation_rate))

    def call(self, inputs):
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = K.bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        channels = self._output_channels(input_shape[channel_axis(self.data_format)])
        return with_spatial(input_shape, self._output_space(input_shape), channels, self.data_format)

    def get_config(self) -> Dict[str, Any]:
        config = {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "use_bias": self.use_bias,
            **weight_arguments_config(self),
        }
        return {**super().get_config(), **config}


COMMON_ARGS_DOC = """
        activation: activation function to use (see `activations`); None means linear.
        use_bias: boolean, whether the layer uses a bias vector.
        kernel_initializer: initializer for the `kernel` weights matrix.
        bias_initializer: initializer for the bias vector.
        kernel_regularizer: regularizer function applied to the `kernel` weights matrix.
        bias_regularizer: regularizer function applied to the bias vector.
        activity_regularizer: regularizer function applied to the output of the layer.
        kernel_constraint: constraint function applied to the kernel matrix.
        bias_constraint: constraint function applied to the bias vector."""


class Conv1D(_Conv):
    """1D convolution layer (e.g. temporal convolution).

    Convolves the input over a single spatial (temporal) dimension with `filters`
    kernels of shape ``(kernel_size, in)``, adds a bias and applies `activation`.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of a single integer, the length of the window.
        strides: an integer or tuple of a single integer, the stride of the convolution.
        padding: one of ``"valid"``, ``"causal"`` or ``"same"``.  ``"causal"`` gives
            dilated causal convolutions: ``output[t]`` does not depend on ``input[t + 1:]``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: an integer or tuple of a single integer, the dilation rate.{common}

    # Input shape
        3D tensor with shape ``(batch_size, steps, input_dim)``.

    # Output shape
        3D tensor with shape ``(batch_size, new_steps, filters)``.

    # Example

    ```python
        model.add(Conv1D(64, 3, activation='relu', input_shape=(10, 128)))
        # now: model.output_shape == (None, 8, 64)
    ```
    """

    @interfaces.legacy_conv1d_support
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate=1, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if str(padding).lower() == "causal" and K.normalize_data_format(data_format) != "channels_last":
            raise ValueError('When using causal padding in `Conv1D`, `data_format` must be "channels_last" '
                             "(temporal data).")
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2D(_Conv):
    """2D convolution layer (e.g. spatial convolution over images).

    Convolves the input with `filters` kernels of shape ``(rows, cols, in)`` (Keras's kernel
    layout ``(rows, cols, in, filters)``), adds a bias and applies `activation`.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 2 integers, the height and width of the window.
        strides: an integer or tuple of 2 integers, the strides along the height and width.
        padding: one of ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default:
            `K.image_data_format()`).
        dilation_rate: an integer or tuple of 2 integers, the dilation rate.{common}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels,
        rows, cols)`` (channels_first).

    # Output shape
        4D tensor ``(batch, new_rows, new_cols, filters)`` (or ``(batch, filters, new_rows,
        new_cols)``).

    # Example

    ```python
        model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
        # now: model.output_shape == (None, 26, 26, 32)
    ```
    """

    @interfaces.legacy_conv2d_support
    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3D(_Conv):
    """3D convolution layer (e.g. spatial convolution over volumes).

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 3 integers, the depth, height and width of the window.
        strides: an integer or tuple of 3 integers, the strides along each spatial dimension.
        padding: one of ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).
        dilation_rate: an integer or tuple of 3 integers, the dilation rate.{common}

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch,
        channels, dim1, dim2, dim3)`` (channels_first).

    # Output shape
        5D tensor ``(batch, new_dim1, new_dim2, new_dim3, filters)`` (or channels first).

    # Example

    ```python
        model.add(Conv3D(8, 3, input_shape=(16, 16, 16, 1)))
        # now: model.output_shape == (None, 14, 14, 14, 8)
    ```
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1, 1), activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class _Transposed(_Conv):
    """What a transposed convolution changes in `_Conv`: kernel ``(*kernel_size, filters, in)``, deconv sizes."""

    def _init_output_padding(self, output_padding) -> None:
        self.output_padding = None
        if output_padding is not None:
            pads = (output_padding,) * self.rank if isinstance(output_padding, int) else tuple(output_padding)
            if len(pads) != self.rank or any(not 0 <= p < s for p, s in zip(pads, self.strides)):
                raise ValueError(f"{type(self).__name__} layer {self.name}: output_padding must be {self.rank} "
                                 f"integers, each >= 0 and smaller than its stride {self.strides}, "
                                 f"got {output_padding!r}")
            self.output_padding = tuple(int(p) for p in pads)

    def _kernel_shape(self, input_dim: int) -> Tuple[int, ...]:
        return self.kernel_size + (self.filters, input_dim)

    def _deconv_space(self, sizes: Sequence) -> List:
        pads = self.output_padding or (None,) * self.rank
        return [deconv_length(n, s, k, self.padding, d, p)
                for n, s, k, d, p in zip(sizes, self.strides, self.kernel_size, self.dilation_rate, pads)]

    def _output_space(self, input_shape: Shape) -> List[Optional[int]]:
        lengths = self._deconv_space([input_shape[a] for a in spatial_axes(self.rank, self.data_format)])
        if any(n is not None and n < 1 for n in lengths):
            raise ValueError(f"{type(self).__name__} layer {self.name}: input shape {tuple(input_shape)} gives an "
                             f"empty output of spatial size {tuple(lengths)}.")
        return lengths

    def _convolve(self, inputs):
        shape = K.shape(inputs)
        static = K.int_shape(inputs)
        sizes = [shape[a] if static[a] is None else static[a] for a in spatial_axes(self.rank, self.data_format)]
        output_shape = with_spatial((shape[0],), self._deconv_space(sizes), self.filters, self.data_format)
        if self.rank == 2:
            return K.conv2d_transpose(inputs, self.kernel, output_shape, self.strides, padding=self.padding,
                                      data_format=self.data_format, dilation_rate=self.dilation_rate)
        return K.conv3d_transpose(inputs, self.kernel, output_shape, self.strides, padding=self.padding,
                                  data_format=self.data_format)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "output_padding": self.output_padding}


class Conv2DTranspose(_Transposed, Conv2D):
    """Transposed convolution layer (sometimes called Deconvolution).

    The gradient of a `Conv2D` with respect to its input, used forward: it maps something
    with the shape of a convolution's output to something with the shape of its input,
    keeping a compatible connectivity pattern.  The kernel is ``(rows, cols, filters, in)``.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 2 integers, the height and width of the window.
        strides: an integer or tuple of 2 integers, the strides along the height and width.
        padding: one of ``"valid"`` or ``"same"``.
        output_padding: an integer or tuple of 2 integers, the padding along the height and
            width of the output (each smaller than its stride); None infers the size.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).
        dilation_rate: an integer or tuple of 2 integers, the dilation rate.{common}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, new_rows, new_cols, filters)`` (or channels first), where
        ``new_rows = (rows - 1) * strides[0] + kernel_size[0] - 2 * pad + output_padding[0]``.

    # Example

    ```python
        model.add(Conv2DTranspose(16, 3, strides=2, padding='same', input_shape=(7, 7, 32)))
        # now: model.output_shape == (None, 14, 14, 16)
    ```
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        # Conv2D's Keras-1 interface takes two positional arguments: the rest go by keyword
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self._init_output_padding(output_padding)


class Conv3DTranspose(_Transposed, Conv3D):
    """Transposed 3D convolution layer (sometimes called 3D Deconvolution).

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 3 integers, the depth, height and width of the window.
        strides: an integer or tuple of 3 integers, the strides along each spatial dimension.
        padding: one of ``"valid"`` or ``"same"``.
        output_padding: an integer or tuple of 3 integers, the padding of each output
            dimension (each smaller than its stride); None infers the size.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).{common}

    # Input shape
        5D tensor ``(batch, depth, rows, cols, channels)`` (or channels first).

    # Output shape
        5D tensor ``(batch, new_depth, new_rows, new_cols, filters)`` (or channels first).

    # Example

    ```python
        model.add(Conv3DTranspose(4, 2, strides=2, input_shape=(4, 4, 4, 8)))
        # now: model.output_shape == (None, 8, 8, 8, 4)
    ```
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1, 1), padding: str = "valid", output_padding=None,
                 data_format=None, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, (1, 1, 1), activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self._init_output_padding(output_padding)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["dilation_rate"]
        return config


class _SeparableConv(_Conv):
    """Depthwise convolution (``depth_multiplier`` outputs per input channel), then a pointwise (1x1) one."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding: str = "valid", data_format=None,
                 dilation_rate=1, depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        set_weight_arguments(self, depthwise_initializer=depthwise_initializer,
                             pointwise_initializer=pointwise_initializer, depthwise_regularizer=depthwise_regularizer,
                             pointwise_regularizer=pointwise_regularizer, depthwise_constraint=depthwise_constraint,
                             pointwise_constraint=pointwise_constraint)

    def _add_depthwise_kernel(self, input_dim: int) -> None:
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (input_dim, self.depth_multiplier), initializer=self.depthwise_initializer,
            name="depthwise_kernel", regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)

    def _build_weights(self, input_shape: Shape, input_dim: int) -> None:
        self._add_depthwise_kernel(input_dim)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (self.depth_multiplier * input_dim, self.filters),
            initializer=self.pointwise_initializer, name="pointwise_kernel", regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._build_bias(self.filters)

    def _convolve(self, inputs):
        separable = K.separable_conv1d if self.rank == 1 else K.separable_conv2d
        unpack = (lambda t: t[0]) if self.rank == 1 else tuple
        return separable(inputs, self.depthwise_kernel, self.pointwise_kernel, strides=unpack(self.strides),
                         padding=self.padding, data_format=self.data_format,
                         dilation_rate=unpack(self.dilation_rate))

    def _depthwise_config(self) -> Dict[str, Any]:
        """The config with the kernel_* entries replaced by the depthwise_* ones."""
        config = super().get_config()
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            del config[key]
        return {**config, "depth_multiplier": self.depth_multiplier, **weight_arguments_config(
            self, ("depthwise_initializer", "depthwise_regularizer", "depthwise_constraint"))}

    def get_config(self) -> Dict[str, Any]:
        return {**self._depthwise_config(), **weight_arguments_config(
            self, ("pointwise_initializer", "pointwise_regularizer", "pointwise_constraint"))}


_SEPARABLE_ARGS = """
        depth_multiplier: the number of depthwise convolution output channels for each
            input channel (``filters_in * depth_multiplier`` in all).
        activation: activation function to use; None means linear.
        use_bias: boolean, whether the layer uses a bias vector.
        depthwise_initializer: initializer for the depthwise kernel.
        pointwise_initializer: initializer for the pointwise kernel.
        bias_initializer: initializer for the bias vector.
        depthwise_regularizer: regularizer function applied to the depthwise kernel.
        pointwise_regularizer: regularizer function applied to the pointwise kernel.
        bias_regularizer: regularizer function applied to the bias vector.
        activity_regularizer: regularizer function applied to the output of the layer.
        depthwise_constraint: constraint function applied to the depthwise kernel.
        pointwise_constraint: constraint function applied to the pointwise kernel.
        bias_constraint: constraint function applied to the bias vector."""


class SeparableConv1D(_SeparableConv):
    """Depthwise separable 1D convolution.

    A depthwise convolution acting separately on each input channel, then a pointwise
    convolution mixing the channels.  Weights: ``depthwise_kernel (k, in, depth_multiplier)``,
    ``pointwise_kernel (1, in * depth_multiplier, filters)``, ``bias (filters,)``.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of a single integer, the length of the window.
        strides: an integer or tuple of a single integer, the stride of the convolution.
        padding: one of ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: an integer or tuple of a single integer, the dilation rate.{separable}

    # Input shape
        3D tensor ``(batch, steps, channels)`` (or channels first).

    # Output shape
        3D tensor ``(batch, new_steps, filters)`` (or channels first).

    # Example

    ```python
        model.add(SeparableConv1D(16, 3, depth_multiplier=2, input_shape=(10, 4)))
        # now: model.output_shape == (None, 8, 16)
    ```
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format="channels_last",
                 dilation_rate=1, depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, check_padding(padding, 1, ("valid", "same")),
                         data_format, dilation_rate, depth_multiplier, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer, pointwise_regularizer,
                         bias_regularizer, activity_regularizer, depthwise_constraint, pointwise_constraint,
                         bias_constraint, **kwargs)


class SeparableConv2D(_SeparableConv):
    """Depthwise separable 2D convolution.

    A depthwise spatial convolution acting separately on each input channel, then a
    pointwise (1x1) convolution mixing the channels.  Weights: ``depthwise_kernel (kh, kw,
    in, depth_multiplier)``, ``pointwise_kernel (1, 1, in * depth_multiplier, filters)``,
    ``bias (filters,)``.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 2 integers, the height and width of the window.
        strides: an integer or tuple of 2 integers, the strides along the height and width.
        padding: one of ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).
        dilation_rate: an integer or tuple of 2 integers, the dilation rate.{separable}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, new_rows, new_cols, filters)`` (or channels first).

    # Example

    ```python
        model.add(SeparableConv2D(32, (3, 3), padding='same', input_shape=(32, 32, 3)))
        # now: model.output_shape == (None, 32, 32, 32)
    ```
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


class DepthwiseConv2D(_SeparableConv):
    """Depthwise separable 2D convolution: only the depthwise step (each input channel on its own).

    Weights: ``depthwise_kernel (kh, kw, in, depth_multiplier)`` and ``bias (in *
    depth_multiplier,)``; input channel ``c`` gives output channels ``c * depth_multiplier
    ... c * depth_multiplier + depth_multiplier - 1``.

    # Arguments
        kernel_size: an integer or tuple of 2 integers, the height and width of the window.
        strides: an integer or tuple of 2 integers, the strides along the height and width.
        padding: one of ``"valid"`` or ``"same"``.
        depth_multiplier: the number of output channels for each input channel.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).
        activation: activation function to use; None means linear.
        use_bias: boolean, whether the layer uses a bias vector.
        depthwise_initializer: initializer for the depthwise kernel.
        bias_initializer: initializer for the bias vector.
        depthwise_regularizer: regularizer function applied to the depthwise kernel.
        bias_regularizer: regularizer function applied to the bias vector.
        activity_regularizer: regularizer function applied to the output of the layer.
        depthwise_constraint: constraint function applied to the depthwise kernel.
        bias_constraint: constraint function applied to the bias vector.
        dilation_rate: an integer or tuple of 2 integers, the dilation rate (a keyword
            argument in Keras 2.2.4, kept in the config).

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, new_rows, new_cols, channels * depth_multiplier)`` (or channels first).

    # Example

    ```python
        model.add(DepthwiseConv2D((3, 3), depth_multiplier=2, input_shape=(8, 8, 3)))
        # now: model.output_shape == (None, 6, 6, 6)
    ```
    """

    def __init__(self, kernel_size, strides=(1, 1), padding: str = "valid", depth_multiplier: int = 1,
                 data_format=None, activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, dilation_rate=(1, 1),
                 **kwargs):
        super().__init__(2, None, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def _output_channels(self, input_dim: Optional[int]) -> Optional[int]:
        return None if input_dim is None else input_dim * self.depth_multiplier

    def _build_weights(self, input_shape: Shape, input_dim: int) -> None:
        self._add_depthwise_kernel(input_dim)
        self._build_bias(input_dim * self.depth_multiplier)

    def _convolve(self, inputs):
        return K.depthwise_conv2d(inputs, self.depthwise_kernel, strides=self.strides, padding=self.padding,
                                  data_format=self.data_format, dilation_rate=self.dilation_rate)

    def get_config(self) -> Dict[str, Any]:
        config = self._depthwise_config()
        del config["filters"]
        return config


# -- resampling, padding and cropping --------------------------------------------------------------
class _Spatial(Layer):
    """A layer acting on the `rank` spatial dims of its input, in `data_format`."""

    rank = 0

    def __init__(self, data_format: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _new_size(self, axis: int, size: int) -> int:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = list(input_shape)
        for i, axis in enumerate(spatial_axes(self.rank, self.data_format)):
            if shape[axis] is not None:
                shape[axis] = self._new_size(i, shape[axis])
        return tuple(shape)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class _UpSampling(_Spatial):
    """Repeats each spatial element `size` times along its axis (nearest neighbour)."""

    def __init__(self, size, data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = normalize_tuple(size, self.rank, "size")

    def _new_size(self, axis: int, size: int) -> int:
        return size * self.size[axis]

    def call(self, inputs):
        if self.rank == 3:
            return K.resize_volumes(inputs, *self.size, self.data_format)
        return K.resize_images(inputs, *self.size, self.data_format)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "size": self.size}


class UpSampling1D(_UpSampling):
    """Upsampling layer for 1D inputs: repeats each temporal step `size` times along the time axis.

    # Arguments
        size: integer, the upsampling factor.

    # Input shape
        3D tensor with shape ``(batch, steps, features)``.

    # Output shape
        3D tensor with shape ``(batch, upsampled_steps, features)``.

    # Example

    ```python
        model.add(UpSampling1D(3, input_shape=(4, 2)))
        # now: model.output_shape == (None, 12, 2)
    ```
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(size, "channels_last", **kwargs)
        self.size = self.size[0]

    def _new_size(self, axis: int, size: int) -> int:
        return size * self.size

    def call(self, inputs):
        return K.repeat_elements(inputs, self.size, axis=1)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


class UpSampling2D(_UpSampling):
    """Upsampling layer for 2D inputs: repeats the rows and columns by ``size[0]`` and ``size[1]``.

    # Arguments
        size: int, or tuple of 2 integers, the upsampling factors for rows and columns.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).
        interpolation: ``"nearest"`` or ``"bilinear"``.

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, upsampled_rows, upsampled_cols, channels)`` (or channels first).

    # Example

    ```python
        model.add(UpSampling2D((2, 3), input_shape=(4, 4, 1)))
        # now: model.output_shape == (None, 8, 12, 1)
    ```
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format: Optional[str] = None, interpolation: str = "nearest", **kwargs):
        super().__init__(size, data_format, **kwargs)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D layer {self.name}: interpolation should be one of 'nearest' or "
                             f"'bilinear', got {interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs):
        return K.resize_images(inputs, *self.size, self.data_format, interpolation=self.interpolation)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Upsampling layer for 3D inputs: repeats the three spatial dims by ``size``.

    # Arguments
        size: int, or tuple of 3 integers, the upsampling factors for dim1, dim2 and dim3.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        5D tensor ``(batch, upsampled_dim1, upsampled_dim2, upsampled_dim3, channels)``.

    # Example

    ```python
        model.add(UpSampling3D(2, input_shape=(2, 2, 2, 1)))
        # now: model.output_shape == (None, 4, 4, 4, 1)
    ```
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format: Optional[str] = None, **kwargs):
        super().__init__(size, data_format, **kwargs)


class _Padding(_Spatial):
    """Zeros before and after each spatial dim (`pairs`), or (cropping) elements removed there."""

    def __init__(self, pairs, data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.pairs = tuple(tuple(p) for p in padding_pairs(pairs, self.rank, type(self).__name__))


class _ZeroPadding(_Padding):
    def _new_size(self, axis: int, size: int) -> int:
        return size + sum(self.pairs[axis])

    def call(self, inputs):
        if self.rank == 1:
            return K.temporal_padding(inputs, self.pairs[0])
        pad = K.spatial_2d_padding if self.rank == 2 else K.spatial_3d_padding
        return pad(inputs, self.pairs, self.data_format)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "padding": self.pairs}


class ZeroPadding1D(_ZeroPadding):
    """Zero-padding layer for 1D input (e.g. temporal sequence).

    # Arguments
        padding: int, or tuple of int (length 2): the number of zeros to add at the
            start and the end of the padding dimension (axis 1).

    # Input shape
        3D tensor with shape ``(batch, axis_to_pad, features)``.

    # Output shape
        3D tensor with shape ``(batch, padded_axis, features)``.

    # Example

    ```python
        model.add(ZeroPadding1D((1, 2), input_shape=(5, 3)))
        # now: model.output_shape == (None, 8, 3)
    ```
    """

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding, "channels_last", **kwargs)
        self.padding = self.pairs[0]

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return {**config, "padding": self.padding}


class ZeroPadding2D(_ZeroPadding):
    """Zero-padding layer for 2D input (e.g. picture): rows and columns of zeros around the image.

    # Arguments
        padding: int, or tuple of 2 ints, or tuple of 2 tuples of 2 ints: a symmetric
            padding for both dims, one symmetric padding per dim, or ``((top_pad,
            bottom_pad), (left_pad, right_pad))``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, padded_rows, padded_cols, channels)`` (or channels first).

    # Example

    ```python
        model.add(ZeroPadding2D(((1, 0), (2, 2)), input_shape=(4, 4, 1)))
        # now: model.output_shape == (None, 5, 8, 1)
    ```
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format: Optional[str] = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
        self.padding = self.pairs


class ZeroPadding3D(_ZeroPadding):
    """Zero-padding layer for 3D data (spatial or spatio-temporal).

    # Arguments
        padding: int, or tuple of 3 ints, or tuple of 3 tuples of 2 ints: a symmetric
            padding for every dim, one per dim, or ``((before, after),) * 3``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        5D tensor ``(batch, padded_dim1, padded_dim2, padded_dim3, channels)`` (or channels first).

    # Example

    ```python
        model.add(ZeroPadding3D(1, input_shape=(2, 2, 2, 1)))
        # now: model.output_shape == (None, 4, 4, 4, 1)
    ```
    """

    rank = 3

    def __init__(self, padding=(1, 1, 1), data_format: Optional[str] = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
        self.padding = self.pairs


class _Cropping(_Padding):
    def _new_size(self, axis: int, size: int) -> int:
        return size - sum(self.pairs[axis])

    def build(self, input_shape: Shape) -> None:
        if any(n is not None and n < 1 for n in self.compute_output_shape(input_shape)[1:]):
            raise ValueError(f"{type(self).__name__} layer {self.name}: cropping {self.pairs} leaves nothing of "
                             f"the input of shape {tuple(input_shape)}.")
        super().build(input_shape)

    def call(self, inputs):
        index = [slice(None)] * K.ndim(inputs)
        for axis, (start, end) in zip(spatial_axes(self.rank, self.data_format), self.pairs):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "cropping": self.pairs}


class Cropping1D(_Cropping):
    """Cropping layer for 1D input (e.g. temporal sequence): crops along the time dimension (axis 1).

    # Arguments
        cropping: int or tuple of int (length 2): how many units to trim off at the start
            and the end of the cropping dimension.

    # Input shape
        3D tensor with shape ``(batch, axis_to_crop, features)``.

    # Output shape
        3D tensor with shape ``(batch, cropped_axis, features)``.

    # Example

    ```python
        model.add(Cropping1D((1, 2), input_shape=(6, 3)))
        # now: model.output_shape == (None, 3, 3)
    ```
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, "channels_last", **kwargs)
        self.cropping = self.pairs[0]

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return {**config, "cropping": self.cropping}


class Cropping2D(_Cropping):
    """Cropping layer for 2D input (e.g. picture): crops along the spatial dimensions (height and width).

    # Arguments
        cropping: int, or tuple of 2 ints, or tuple of 2 tuples of 2 ints: a symmetric
            cropping for both dims, one per dim, or ``((top_crop, bottom_crop), (left_crop,
            right_crop))``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, cropped_rows, cropped_cols, channels)`` (or channels first).

    # Example

    ```python
        model.add(Cropping2D(cropping=((2, 2), (4, 4)), input_shape=(28, 28, 3)))
        # now: model.output_shape == (None, 24, 20, 3)
    ```
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format: Optional[str] = None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
        self.cropping = self.pairs


class Cropping3D(_Cropping):
    """Cropping layer for 3D data (e.g. spatial or spatio-temporal).

    # Arguments
        cropping: int, or tuple of 3 ints, or tuple of 3 tuples of 2 ints: a symmetric
            cropping for every dim, one per dim, or ``((before, after),) * 3``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: `K.image_data_format()`).

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        5D tensor ``(batch, cropped_dim1, cropped_dim2, cropped_dim3, channels)`` (or channels first).

    # Example

    ```python
        model.add(Cropping3D(1, input_shape=(4, 4, 4, 1)))
        # now: model.output_shape == (None, 2, 2, 2, 1)
    ```
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format: Optional[str] = None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
        self.cropping = self.pairs


for _layer in (Conv1D, Conv2D, Conv3D, Conv2DTranspose, Conv3DTranspose):
    _layer.__doc__ = _layer.__doc__.replace("{common}", COMMON_ARGS_DOC)
for _layer in (SeparableConv1D, SeparableConv2D):
    _layer.__doc__ = _layer.__doc__.replace("{separable}", _SEPARABLE_ARGS)

# Aliases (Keras 2.2.4's names)
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose
