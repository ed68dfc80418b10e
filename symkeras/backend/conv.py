"""Convolutions and pooling: ``K.conv1d/2d/3d``, transposed, separable, depthwise, local, ``pool2d/3d``.

Each is one call to `symkeras.ops.conv`, `symkeras.ops.pool` or `symkeras.ops.local`
after checking the rank the Keras name promises; kernels keep Keras's layout
(``(*window, in, out)``, ``(*window, out, in)`` for transposed ones) whatever the
`data_format`, and `data_format=None` means `image_data_format()`.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

from symkeras.backend.common import normalize_data_format
from symkeras.backend.errors import backend_function
from symkeras.graph import Variable, as_tensor
from symkeras.graph.type import format_shape
from symkeras.ops import conv as C
from symkeras.ops import local as L
from symkeras.ops import pool as P

Tensor = Variable
IntOrTuple = Union[int, Sequence[int]]
POOL_MODES = ("max", "avg")


def _check_rank(name: str, rank: int, **tensors: Tensor) -> None:
    """Every one of `tensors` must have ``rank + 2`` axes (batch and channels, or window, in and out)."""
    for what, tensor in tensors.items():
        if tensor.ndim != rank + 2:
            raise ValueError(f"K.{name}: expects a {rank + 2}-D {what.replace('_', ' ')}, got shape "
                             f"{format_shape(tensor.type.shape)}")


def _convolution(name: str, rank: int, x, kernel, strides, padding, data_format, dilation_rate) -> Tensor:
    x, kernel = as_tensor(x), as_tensor(kernel)
    _check_rank(name, rank, input=x, kernel=kernel)
    return C.conv(x, kernel, strides, padding, normalize_data_format(data_format), dilation_rate)


@backend_function
def conv1d(x: Tensor, kernel: Tensor, strides: int = 1, padding: str = "valid", data_format: Optional[str] = None,
           dilation_rate: int = 1) -> Tensor:
    """1D convolution.

    # Arguments
        x: Tensor or variable ``(batch, steps, in)`` (``(batch, in, steps)`` channels-first).
        kernel: kernel tensor ``(window, in, out)``.
        strides: stride integer.
        padding: string, ``"same"``, ``"causal"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: integer dilate rate.

    # Returns
        A tensor, result of 1D convolution.
    """
    return _convolution("conv1d", 1, x, kernel, strides, padding, data_format, dilation_rate)


@backend_function
def conv2d(x: Tensor, kernel: Tensor, strides: IntOrTuple = (1, 1), padding: str = "valid",
           data_format: Optional[str] = None, dilation_rate: IntOrTuple = (1, 1)) -> Tensor:
    """2D convolution (cross-correlation, as in every Keras backend).

    # Arguments
        x: Tensor or variable.
        kernel: kernel tensor ``(rows, cols, in, out)``, whatever the data format.
        strides: strides tuple.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``: whether to use
            Theano or TensorFlow/CNTK data format for inputs/kernels/outputs.
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, result of 2D convolution.
    """
    return _convolution("conv2d", 2, x, kernel, strides, padding, data_format, dilation_rate)


@backend_function
def conv3d(x: Tensor, kernel: Tensor, strides: IntOrTuple = (1, 1, 1), padding: str = "valid",
           data_format: Optional[str] = None, dilation_rate: IntOrTuple = (1, 1, 1)) -> Tensor:
    """3D convolution.

    # Arguments
        x: Tensor or variable.
        kernel: kernel tensor ``(depth, rows, cols, in, out)``.
        strides: strides tuple.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: tuple of 3 integers.

    # Returns
        A tensor, result of 3D convolution.
    """
    return _convolution("conv3d", 3, x, kernel, strides, padding, data_format, dilation_rate)


def _transposed(name: str, rank: int, x, kernel, output_shape, strides, padding, data_format,
                dilation_rate) -> Tensor:
    x, kernel = as_tensor(x), as_tensor(kernel)
    _check_rank(name, rank, input=x, kernel=kernel)
    if output_shape is not None and len(output_shape) != rank + 2:
        raise ValueError(f"K.{name}: output_shape must have {rank + 2} entries (batch and channels included), "
                         f"got {output_shape!r}")
    return C.conv_transpose(x, kernel, output_shape, strides, padding, normalize_data_format(data_format),
                            dilation_rate)


@backend_function
def conv2d_transpose(x: Tensor, kernel: Tensor, output_shape, strides: IntOrTuple = (1, 1), padding: str = "valid",
                     data_format: Optional[str] = None, dilation_rate: IntOrTuple = (1, 1)) -> Tensor:
    """2D deconvolution (i.e. transposed convolution).

    # Arguments
        x: Tensor or variable.
        kernel: kernel tensor ``(rows, cols, out, in)``.
        output_shape: 1D int tensor or tuple for the output shape, batch and channels
            included, in `data_format` order (ints or int scalar tensors).
        strides: strides tuple.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, result of transposed 2D convolution.
    """
    return _transposed("conv2d_transpose", 2, x, kernel, output_shape, strides, padding, data_format, dilation_rate)


@backend_function
def conv3d_transpose(x: Tensor, kernel: Tensor, output_shape, strides: IntOrTuple = (1, 1, 1),
                     padding: str = "valid", data_format: Optional[str] = None) -> Tensor:
    """3D deconvolution (i.e. transposed convolution).

    # Arguments
        x: input tensor.
        kernel: kernel tensor ``(depth, rows, cols, out, in)``.
        output_shape: 1D int tensor or tuple for the output shape (batch and channels included).
        strides: strides tuple.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.

    # Returns
        A tensor, result of transposed 3D convolution.
    """
    return _transposed("conv3d_transpose", 3, x, kernel, output_shape, strides, padding, data_format, 1)


def _separable(name: str, rank: int, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
               dilation_rate) -> Tensor:
    x, depthwise_kernel, pointwise_kernel = as_tensor(x), as_tensor(depthwise_kernel), as_tensor(pointwise_kernel)
    _check_rank(name, rank, input=x, depthwise_kernel=depthwise_kernel, pointwise_kernel=pointwise_kernel)
    return C.separable_conv(x, depthwise_kernel, pointwise_kernel, strides, padding,
                            normalize_data_format(data_format), dilation_rate)


@backend_function
def separable_conv1d(x: Tensor, depthwise_kernel: Tensor, pointwise_kernel: Tensor, strides: int = 1,
                     padding: str = "valid", data_format: Optional[str] = None, dilation_rate: int = 1) -> Tensor:
    """1D convolution with separable filters.

    # Arguments
        x: input tensor.
        depthwise_kernel: convolution kernel for the depthwise convolution ``(window, in, multiplier)``.
        pointwise_kernel: kernel for the 1x1 convolution ``(1, in * multiplier, out)``.
        strides: stride integer.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: integer dilation rate.

    # Returns
        Output tensor.
    """
    return _separable("separable_conv1d", 1, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate)


@backend_function
def separable_conv2d(x: Tensor, depthwise_kernel: Tensor, pointwise_kernel: Tensor, strides: IntOrTuple = (1, 1),
                     padding: str = "valid", data_format: Optional[str] = None,
                     dilation_rate: IntOrTuple = (1, 1)) -> Tensor:
    """2D convolution with separable filters.

    # Arguments
        x: input tensor.
        depthwise_kernel: convolution kernel for the depthwise convolution ``(rows, cols, in, multiplier)``.
        pointwise_kernel: kernel for the 1x1 convolution ``(1, 1, in * multiplier, out)``.
        strides: strides tuple (length 2).
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: tuple of integers, dilation rates for the separable convolution.

    # Returns
        Output tensor.
    """
    return _separable("separable_conv2d", 2, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate)


@backend_function
def depthwise_conv2d(x: Tensor, depthwise_kernel: Tensor, strides: IntOrTuple = (1, 1), padding: str = "valid",
                     data_format: Optional[str] = None, dilation_rate: IntOrTuple = (1, 1)) -> Tensor:
    """2D depthwise convolution: input channel ``c`` feeds output channels ``c * multiplier + m``.

    # Arguments
        x: input tensor.
        depthwise_kernel: convolution kernel for the depthwise convolution ``(rows, cols, in, multiplier)``.
        strides: strides tuple (length 2).
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: tuple of integers, dilation rates for the depthwise convolution.

    # Returns
        Output tensor.
    """
    x, depthwise_kernel = as_tensor(x), as_tensor(depthwise_kernel)
    _check_rank("depthwise_conv2d", 2, input=x, depthwise_kernel=depthwise_kernel)
    return C.depthwise_conv(x, depthwise_kernel, strides, padding, normalize_data_format(data_format), dilation_rate)


def _pool(name: str, rank: int, x, pool_size, strides, padding, data_format, pool_mode) -> Tensor:
    x = as_tensor(x)
    _check_rank(name, rank, input=x)
    if pool_mode not in POOL_MODES:
        raise ValueError(f"K.{name}: invalid pool_mode {pool_mode!r}, expected one of {list(POOL_MODES)}")
    return P.pool(x, pool_size, strides, padding, normalize_data_format(data_format), pool_mode)


@backend_function
def pool2d(x: Tensor, pool_size: IntOrTuple, strides: IntOrTuple = (1, 1), padding: str = "valid",
           data_format: Optional[str] = None, pool_mode: str = "max") -> Tensor:
    """2D Pooling.

    # Arguments
        x: Tensor or variable.
        pool_size: tuple of 2 integers.
        strides: tuple of 2 integers.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        pool_mode: string, ``"max"`` or ``"avg"``.

    # Returns
        A tensor, result of 2D pooling.
    """
    return _pool("pool2d", 2, x, pool_size, strides, padding, data_format, pool_mode)


@backend_function
def pool3d(x: Tensor, pool_size: IntOrTuple, strides: IntOrTuple = (1, 1, 1), padding: str = "valid",
           data_format: Optional[str] = None, pool_mode: str = "max") -> Tensor:
    """3D Pooling.

    # Arguments
        x: Tensor or variable.
        pool_size: tuple of 3 integers.
        strides: tuple of 3 integers.
        padding: string, ``"same"`` or ``"valid"``.
        data_format: string, ``"channels_last"`` or ``"channels_first"``.
        pool_mode: string, ``"max"`` or ``"avg"``.

    # Returns
        A tensor, result of 3D pooling.
    """
    return _pool("pool3d", 3, x, pool_size, strides, padding, data_format, pool_mode)


@backend_function
def local_conv1d(inputs: Tensor, kernel: Tensor, kernel_size: IntOrTuple, strides: IntOrTuple,
                 data_format: Optional[str] = None) -> Tensor:
    """Apply 1D conv with un-shared weights.

    # Arguments
        inputs: 3D tensor ``(batch, steps, in)`` (``(batch, in, steps)`` channels-first).
        kernel: the unshared weight for convolution, ``(output_length, window * in, filters)``.
        kernel_size: a tuple of a single integer, the 1D convolution window.
        strides: a tuple of a single integer, the stride length of the convolution.
        data_format: the data format, ``channels_first`` or ``channels_last``.

    # Returns
        The tensor after 1d conv with un-shared weights, ``(batch, output_length, filters)``
        (``(batch, filters, output_length)`` channels-first).
    """
    inputs = as_tensor(inputs)
    _check_rank("local_conv1d", 1, inputs=inputs)
    return L.local_conv(inputs, kernel, kernel_size, strides, normalize_data_format(data_format))


@backend_function
def local_conv2d(inputs: Tensor, kernel: Tensor, kernel_size: IntOrTuple, strides: IntOrTuple,
                 output_shape: Sequence[int], data_format: Optional[str] = None) -> Tensor:
    """Apply 2D conv with un-shared weights.

    # Arguments
        inputs: 4D tensor ``(batch, rows, cols, in)`` (``(batch, in, rows, cols)`` channels-first).
        kernel: the unshared weight for convolution, ``(out_rows * out_cols, rows * cols * in, filters)``.
        kernel_size: a tuple of 2 integers, the 2D convolution window.
        strides: a tuple of 2 integers, the strides of the convolution along the width and height.
        output_shape: a tuple ``(output_row, output_col)``.
        data_format: the data format, ``channels_first`` or ``channels_last``.

    # Returns
        A 4D tensor ``(batch, output_row, output_col, filters)`` (``(batch, filters,
        output_row, output_col)`` channels-first).
    """
    inputs = as_tensor(inputs)
    _check_rank("local_conv2d", 2, inputs=inputs)
    data_format = normalize_data_format(data_format)
    y = L.local_conv(inputs, kernel, kernel_size, strides, data_format)
    got = y.type.shape[1:3] if data_format == "channels_last" else y.type.shape[2:]
    if tuple(got) != tuple(output_shape):
        raise ValueError(f"K.local_conv2d: output_shape {tuple(output_shape)} does not match the {tuple(got)} "
                         f"positions of {kernel_size} windows with strides {strides} over an input of shape "
                         f"{format_shape(inputs.type.shape)}")
    return y
