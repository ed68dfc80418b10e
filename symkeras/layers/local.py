"""Locally-connected layers (Keras 2.2.4's ``keras.layers.local``): LocallyConnected1D and 2D.

They work like Conv1D/Conv2D with `valid` padding, except that the weights are unshared:
each output position has its own kernel.  Weight layouts are Keras's: kernel
``(positions, window * in, filters)`` (the middle axis ordered offsets-then-channels for
channels-last data, channels-then-offsets for channels-first), bias ``(*out, filters)``.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from symkeras import backend as K
from symkeras.layers.convolutional import COMMON_ARGS_DOC, _Conv, spatial_axes

Shape = Tuple[Optional[int], ...]


class _LocallyConnected(_Conv):
    """Unshared-weight convolution over `rank` spatial dims (static sizes), `valid` padding only.

    A `_Conv` with another kernel (one matrix per output position), bias (one per position
    and filter) and product (`K.local_conv1d/2d`); no dilation.
    """

    rank = 0

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format: Optional[str] = None,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if str(padding).lower() != "valid":
            raise ValueError(f"Invalid border mode for {type(self).__name__} (only 'valid' is supported): {padding!r}")
        super().__init__(self.rank, filters, kernel_size, strides, padding, data_format, 1, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def _output_space(self, input_shape: Shape) -> List[Optional[int]]:
        """The output's spatial sizes: the input's must be known (the weights depend on them)."""
        if None in [input_shape[a] for a in spatial_axes(self.rank, self.data_format)]:
            raise ValueError(f"{type(self).__name__} layer {self.name}: the spatial sizes of the input must be "
                             f"defined, got input shape {tuple(input_shape)}.")
        return super()._output_space(input_shape)

    def _build_weights(self, input_shape: Shape, input_dim: int) -> None:
        self.output_space = tuple(self._output_space(input_shape))
        positions, features = int(np.prod(self.output_space)), int(np.prod(self.kernel_size)) * input_dim
        self.kernel_shape = (positions, features, self.filters)
        self.kernel = self.add_weight(shape=self.kernel_shape, initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self.output_space + (self.filters,), initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _convolve(self, inputs):
        if self.rank == 1:
            return K.local_conv1d(inputs, self.kernel, self.kernel_size, self.strides, self.data_format)
        return K.local_conv2d(inputs, self.kernel, self.kernel_size, self.strides, self.output_space, self.data_format)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["dilation_rate"]
        return config


_ARGS = """
        padding: currently only supports ``"valid"`` (case-insensitive).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default:
            `K.image_data_format()`).""" + COMMON_ARGS_DOC


class LocallyConnected1D(_LocallyConnected):
    """Locally-connected layer for 1D inputs: a Conv1D whose weights are not shared.

    Weights: ``kernel (output_length, kernel_size * in, filters)``, ``bias (output_length, filters)``.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of a single integer, the length of the window.
        strides: an integer or tuple of a single integer, the stride of the window.{args}

    # Input shape
        3D tensor with shape ``(batch_size, steps, input_dim)`` (static steps and input_dim).

    # Output shape
        3D tensor with shape ``(batch_size, new_steps, filters)``.

    # Example

    ```python
        # apply an unshared weight convolution 1d of length 3 to a sequence with
        # 10 timesteps, with 64 output filters
        model = Sequential()
        model.add(LocallyConnected1D(64, 3, input_shape=(10, 32)))
        # now model.output_shape == (None, 8, 64)
    ```
    """

    rank = 1


class LocallyConnected2D(_LocallyConnected):
    """Locally-connected layer for 2D inputs: a Conv2D whose weights are not shared.

    Weights: ``kernel (out_rows * out_cols, kh * kw * in, filters)``, ``bias (out_rows,
    out_cols, filters)``.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 2 integers, the height and width of the window.
        strides: an integer or tuple of 2 integers, the strides along the height and width.{args}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first), static sizes.

    # Output shape
        4D tensor ``(batch, new_rows, new_cols, filters)`` (or channels first).

    # Example

    ```python
        # apply a 3x3 unshared weights convolution with 64 output filters on a 32x32 image
        model = Sequential()
        model.add(LocallyConnected2D(64, (3, 3), input_shape=(32, 32, 3)))
        # now model.output_shape == (None, 30, 30, 64)
    ```
    """

    rank = 2

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format: Optional[str] = None, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


for _layer in (LocallyConnected1D, LocallyConnected2D):
    _layer.__doc__ = _layer.__doc__.replace("{args}", _ARGS)
