"""Shape manipulation: reshape, permute, concatenate, stack, tile, repeat, pad, resize, slice, gather, one_hot."""
from __future__ import annotations

import builtins
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import ops
from symkeras.backend.common import floatx, normalize_data_format
from symkeras.backend.errors import backend_function
from symkeras.graph import Variable, as_tensor
from symkeras.graph.type import format_shape
from symkeras.ops.pool import upsample_bilinear
from symkeras.ops.reduction import normalize_axes

Tensor = Variable
IntLike = Union[int, Variable]
Padding = Sequence[Tuple[int, int]]


@backend_function
def reshape(x: Tensor, shape: Union[Sequence[IntLike], Tensor]) -> Tensor:
    """Reshapes a tensor to the specified shape.

    # Arguments
        x: Tensor or variable.
        shape: Target shape tuple (ints, int scalar tensors, at most one -1) or an int vector tensor.

    # Returns
        A tensor.
    """
    return ops.reshape(x, shape)


@backend_function
def permute_dimensions(x: Tensor, pattern: Sequence[int]) -> Tensor:
    """Permutes axes in a tensor.

    # Arguments
        x: Tensor or variable.
        pattern: A tuple of dimension indices, e.g. ``(0, 2, 1)``.

    # Returns
        A tensor.
    """
    return ops.transpose(x, tuple(pattern))


@backend_function
def transpose(x: Tensor) -> Tensor:
    """Transposes a tensor (reverses the order of its axes) and returns it.

    # Arguments
        x: Tensor or variable.

    # Returns
        A tensor.
    """
    return ops.transpose(x)


@backend_function
def concatenate(tensors: Sequence[Tensor], axis: int = -1) -> Tensor:
    """Concatenates a list of tensors alongside the specified axis.

    # Arguments
        tensors: list of tensors to concatenate.
        axis: concatenation axis.

    # Returns
        A tensor.
    """
    return ops.concatenate(list(tensors), axis)


@backend_function
def stack(x: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Stacks a list of rank `R` tensors into a rank `R+1` tensor.

    # Arguments
        x: List of tensors.
        axis: Axis along which to perform stacking.

    # Returns
        A tensor.
    """
    return ops.stack(list(x), axis)


@backend_function
def expand_dims(x: Tensor, axis: int = -1) -> Tensor:
    """Adds a 1-sized dimension at index "axis".

    # Arguments
        x: A tensor or variable.
        axis: Position where to add a new axis (-1: a new last axis).

    # Returns
        A tensor with expanded dimensions.
    """
    return ops.expand_dims(x, axis)


@backend_function
def squeeze(x: Tensor, axis: int) -> Tensor:
    """Removes a 1-dimension from the tensor at index "axis".

    # Arguments
        x: A tensor or variable.
        axis: Axis to drop.

    # Returns
        A tensor with the same data as `x` but reduced dimensions.
    """
    return ops.squeeze(x, axis)


@backend_function
def flatten(x: Tensor) -> Tensor:
    """Flatten a tensor.

    # Arguments
        x: A tensor or variable.

    # Returns
        A tensor, reshaped into 1-D.
    """
    return ops.flatten(x, 1)


@backend_function
def batch_flatten(x: Tensor) -> Tensor:
    """Turn a nD tensor into a 2D tensor with same 0th dimension.

    # Arguments
        x: A tensor or variable.

    # Returns
        A tensor of shape ``(batch, product of the other dimensions)``.
    """
    return ops.flatten(x, 2)


@backend_function
def tile(x: Tensor, n: Union[IntLike, Sequence[IntLike]]) -> Tensor:
    """Creates a tensor by tiling `x` by `n`.

    # Arguments
        x: A tensor or variable.
        n: An int or a list of ints (or int scalar tensors), the repetitions per axis.

    # Returns
        A tiled tensor.
    """
    return ops.tile(x, n)


@backend_function
def repeat(x: Tensor, n: IntLike) -> Tensor:
    """Repeats a 2D tensor: ``(samples, dim)`` becomes ``(samples, n, dim)``.

    # Arguments
        x: Tensor or variable with 2 axes.
        n: Python integer, number of times to repeat.

    # Returns
        A tensor.
    """
    x = as_tensor(x)
    if x.ndim != 2:
        raise ValueError(f"K.repeat: expected a 2-D tensor (samples, dim), got shape {format_shape(x.type.shape)}")
    return ops.tile(ops.expand_dims(x, 1), [1, n, 1])


@backend_function
def repeat_elements(x: Tensor, rep: int, axis: int) -> Tensor:
    """Repeats the elements of a tensor along an axis, like ``np.repeat``.

    # Arguments
        x: Tensor or variable.
        rep: Python integer, number of times to repeat.
        axis: Axis along which to repeat.

    # Returns
        A tensor.
    """
    return ops.repeat(x, rep, axis)


@backend_function
def reverse(x: Tensor, axes: Union[int, Sequence[int]]) -> Tensor:
    """Reverse a tensor along the specified axes.

    # Arguments
        x: Tensor to reverse.
        axes: Integer or iterable of integers, the axes to reverse.

    # Returns
        A tensor.
    """
    x = as_tensor(x)
    flipped = normalize_axes("reverse", axes, x.type.shape)
    return x[tuple(builtins.slice(None, None, -1) if i in flipped else builtins.slice(None) for i in range(x.ndim))]


@backend_function
def slice(x: Tensor, start: Sequence[IntLike], size: Sequence[IntLike]) -> Tensor:
    """Extracts a slice from a tensor.

    # Arguments
        x: Input tensor.
        start: Integers (or int scalar tensors), the start index along each axis.
        size: Integers (or int scalar tensors), the slice length along each axis; -1 means up to the end.

    # Returns
        A tensor ``x[start[0]: start[0] + size[0], ...]``.
    """
    x = as_tensor(x)
    if not len(start) == len(size) == x.ndim:
        raise ValueError(
            f"K.slice: start {tuple(start)} and size {tuple(size)} need one entry per axis of a tensor "
            f"of shape {format_shape(x.type.shape)}"
        )
    index = tuple(builtins.slice(b, None if isinstance(n, int) and n == -1 else b + n) for b, n in zip(start, size))
    return x[index]


@backend_function
def gather(reference: Tensor, indices) -> Tensor:
    """Retrieves the elements of indices `indices` in the tensor `reference` (rows: axis 0).

    # Arguments
        reference: A tensor.
        indices: An integer tensor of indices.

    # Returns
        A tensor of shape ``indices.shape + reference.shape[1:]``.
    """
    return ops.getitem(reference, as_tensor(indices))


@backend_function
def one_hot(indices: Tensor, num_classes: int) -> Tensor:
    """Computes the one-hot representation of an integer tensor.

    # Arguments
        indices: nD integer tensor of shape ``(batch_size, dim1, ..., dim(n-1))``.
        num_classes: Integer, number of classes to consider.

    # Returns
        (n + 1)D one hot representation of the input with shape
        ``(batch_size, dim1, ..., dim(n-1), num_classes)``, of dtype `floatx()`.
    """
    return ops.one_hot(indices, num_classes, dtype=floatx())


@backend_function
def arange(start: IntLike, stop: Optional[IntLike] = None, step: IntLike = 1, dtype: str = "int32") -> Tensor:
    """Creates a 1D tensor containing a sequence of integers, like ``np.arange``.

    With one argument, it is the `stop` and the sequence starts at 0.  Bounds may be int
    scalar tensors (e.g. ``K.shape(x)[0]``).

    # Arguments
        start: Start value.
        stop: Stop value (excluded).
        step: Difference between two successive values.
        dtype: Integer dtype to use.

    # Returns
        An integer tensor.
    """
    if stop is None:
        start, stop = 0, start
    if not builtins.any(isinstance(v, Variable) for v in (start, stop, step)):
        return as_tensor(np.arange(start, stop, step, dtype=dtype))
    length = ops.maximum(-((as_tensor(start) - stop) // step), 0)  # ceil((stop - start) / step), at least 0
    counter = ops.cumsum(ops.alloc(np.int64(1), length)) - 1
    return ops.cast(start + step * counter, dtype)


def _pad_axes(x: Tensor, padding: Padding, axes: Sequence[int]) -> Tensor:
    widths: List[Tuple[int, int]] = [(0, 0)] * x.ndim
    for axis, pair in zip(axes, padding):
        widths[axis] = (int(pair[0]), int(pair[1]))
    return ops.pad(x, widths)


def _spatial_axes(name: str, x: Tensor, rank: int, data_format: Optional[str]) -> List[int]:
    """The `rank` spatial axes of a ``(batch, spatial..., channels)`` (or channels-first) tensor."""
    if x.ndim != rank + 2:
        raise ValueError(f"K.{name}: expected a {rank + 2}-D tensor, got shape {format_shape(x.type.shape)}")
    first = 2 if normalize_data_format(data_format) == "channels_first" else 1
    return list(range(first, first + rank))


def _check_padding(name: str, padding, rank: int) -> None:
    if len(padding) != rank or builtins.any(len(pair) != 2 for pair in padding):
        raise ValueError(f"K.{name}: padding must be {rank} (before, after) pairs, got {padding!r}")


@backend_function
def temporal_padding(x: Tensor, padding: Tuple[int, int] = (1, 1)) -> Tensor:
    """Pads the middle dimension of a 3D tensor with zeros.

    # Arguments
        x: Tensor of shape ``(batch, steps, features)``.
        padding: Tuple of 2 integers, how many zeros to add at the start and end of the steps.

    # Returns
        A padded 3D tensor.
    """
    x = as_tensor(x)
    _check_padding("temporal_padding", [padding], 1)
    return _pad_axes(x, [padding], _spatial_axes("temporal_padding", x, 1, "channels_last"))


@backend_function
def spatial_2d_padding(x: Tensor, padding: Padding = ((1, 1), (1, 1)), data_format: Optional[str] = None) -> Tensor:
    """Pads the 2nd and 3rd dimensions of a 4D tensor with zeros.

    # Arguments
        x: Tensor or variable.
        padding: Tuple of 2 tuples, padding pattern.
        data_format: ``'channels_last'`` or ``'channels_first'`` (default: `image_data_format()`).

    # Returns
        A padded 4D tensor.
    """
    x = as_tensor(x)
    _check_padding("spatial_2d_padding", padding, 2)
    return _pad_axes(x, padding, _spatial_axes("spatial_2d_padding", x, 2, data_format))


@backend_function
def spatial_3d_padding(x: Tensor, padding: Padding = ((1, 1), (1, 1), (1, 1)),
                       data_format: Optional[str] = None) -> Tensor:
    """Pads 5D tensor with zeros along the depth, height, width dimensions.

    # Arguments
        x: Tensor or variable.
        padding: Tuple of 3 tuples, padding pattern.
        data_format: ``'channels_last'`` or ``'channels_first'`` (default: `image_data_format()`).

    # Returns
        A padded 5D tensor.
    """
    x = as_tensor(x)
    _check_padding("spatial_3d_padding", padding, 3)
    return _pad_axes(x, padding, _spatial_axes("spatial_3d_padding", x, 3, data_format))


def _upsample(name: str, x: Tensor, factors: Sequence[int], data_format: Optional[str]) -> Tensor:
    x = as_tensor(x)
    for axis, factor in zip(_spatial_axes(name, x, len(factors), data_format), factors):
        x = ops.repeat(x, int(factor), axis)
    return x


@backend_function
def resize_images(x: Tensor, height_factor: int, width_factor: int, data_format: Optional[str],
                  interpolation: str = "nearest") -> Tensor:
    """Resizes the images contained in a 4D tensor by integer factors.

    # Arguments
        x: Tensor or variable to resize.
        height_factor: Positive integer.
        width_factor: Positive integer.
        data_format: ``'channels_last'`` or ``'channels_first'``.
        interpolation: ``'nearest'`` or ``'bilinear'`` (static spatial sizes only).

    # Returns
        A tensor.
    """
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"K.resize_images: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
    if interpolation == "bilinear":
        return upsample_bilinear(as_tensor(x), (height_factor, width_factor), normalize_data_format(data_format))
    return _upsample("resize_images", x, (height_factor, width_factor), data_format)


@backend_function
def resize_volumes(x: Tensor, depth_factor: int, height_factor: int, width_factor: int,
                   data_format: Optional[str]) -> Tensor:
    """Resizes the volume contained in a 5D tensor by integer factors (nearest neighbour).

    # Arguments
        x: Tensor or variable to resize.
        depth_factor: Positive integer.
        height_factor: Positive integer.
        width_factor: Positive integer.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    # Returns
        A tensor.
    """
    return _upsample("resize_volumes", x, (depth_factor, height_factor, width_factor), data_format)
