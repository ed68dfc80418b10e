"""Pooling layers (Keras 2.2.4's ``keras.layers.pooling``): Max/AveragePooling1D/2D/3D,
GlobalMax/GlobalAveragePooling1D/2D/3D and their aliases (MaxPool2D, GlobalAvgPool1D, ...).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.layers.convolutional import channel_axis, conv_output_length, spatial_axes
from symkeras.ops.conv import check_padding, normalize_tuple

Shape = Tuple[Optional[int], ...]


class _Pooling(Layer):
    """Max or average pooling over windows of `pool_size` of the `rank` spatial dims."""

    rank = 0
    pool_mode = "max"

    def __init__(self, pool_size, strides=None, padding: str = "valid", data_format: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        self.padding = check_padding(padding, self.rank, ("valid", "same"))
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape: Shape) -> None:
        self.compute_output_shape(input_shape)  # a window larger than a 'valid' input is an error now
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = list(input_shape)
        for axis, k, s in zip(spatial_axes(self.rank, self.data_format), self.pool_size, self.strides):
            shape[axis] = conv_output_length(input_shape[axis], k, self.padding, s)
        if any(n is not None and n < 1 for n in shape[1:]):
            raise ValueError(f"{type(self).__name__} layer {self.name}: a pool of size {self.pool_size} does not fit "
                             f"the input of shape {tuple(input_shape)} with {self.padding!r} padding.")
        return tuple(shape)

    def call(self, inputs):
        if self.rank == 3:
            return K.pool3d(inputs, self.pool_size, self.strides, self.padding, self.data_format, self.pool_mode)
        if self.rank == 2:
            return K.pool2d(inputs, self.pool_size, self.strides, self.padding, self.data_format, self.pool_mode)
        # 1-D pooling is 2-D pooling with a dummy axis of size 1, as in Keras
        dummy_axis = 2 if self.data_format == "channels_last" else 3
        output = K.pool2d(K.expand_dims(inputs, dummy_axis), self.pool_size + (1,), self.strides + (1,),
                          self.padding, self.data_format, self.pool_mode)
        return K.squeeze(output, dummy_axis)

    def get_config(self) -> Dict[str, Any]:
        config = {"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides,
                  "data_format": self.data_format}
        return {**super().get_config(), **config}


_POOL_ARGS = """# Arguments
        pool_size: integer or tuple of {n} integers, the size of the pooling window.
        strides: integer, tuple of {n} integers, or None (default: `pool_size`), the step of the window.
        padding: one of ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: {default})."""


class _Pooling1D(_Pooling):
    """1-D pooling, with Keras's defaults."""

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format: str = "channels_last",
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling1D):
    """Max pooling operation for temporal data.

    {args}

    # Input shape
        3D tensor ``(batch, steps, features)`` (channels_first: ``(batch, features, steps)``).

    # Output shape
        3D tensor ``(batch, downsampled_steps, features)`` (or channels first).

    # Example

    ```python
        model.add(MaxPooling1D(2, input_shape=(10, 4)))
        # now: model.output_shape == (None, 5, 4)
    ```
    """

    pool_mode = "max"


class AveragePooling1D(_Pooling1D):
    """Average pooling for temporal data (the mean of the elements of each window inside the input).

    {args}

    # Input shape
        3D tensor ``(batch, steps, features)`` (channels_first: ``(batch, features, steps)``).

    # Output shape
        3D tensor ``(batch, downsampled_steps, features)`` (or channels first).

    # Example

    ```python
        model.add(AveragePooling1D(3, strides=1, padding='same', input_shape=(10, 4)))
        # now: model.output_shape == (None, 10, 4)
    ```
    """

    pool_mode = "avg"


class _Pooling2D(_Pooling):
    """2-D pooling, with Keras's defaults."""

    rank = 2

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", data_format: Optional[str] = None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling2D):
    """Max pooling operation for spatial data.

    {args}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, pooled_rows, pooled_cols, channels)`` (or channels first).

    # Example

    ```python
        model.add(MaxPooling2D((2, 2), input_shape=(26, 26, 64)))
        # now: model.output_shape == (None, 13, 13, 64)
    ```
    """

    pool_mode = "max"


class AveragePooling2D(_Pooling2D):
    """Average pooling operation for spatial data (padding elements are not counted).

    {args}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        4D tensor ``(batch, pooled_rows, pooled_cols, channels)`` (or channels first).

    # Example

    ```python
        model.add(AveragePooling2D(input_shape=(8, 8, 3)))
        # now: model.output_shape == (None, 4, 4, 3)
    ```
    """

    pool_mode = "avg"


class _Pooling3D(_Pooling):
    """3-D pooling, with Keras's defaults."""

    rank = 3

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid", data_format: Optional[str] = None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(_Pooling3D):
    """Max pooling operation for 3D data (spatial or spatio-temporal).

    {args}

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        5D tensor ``(batch, pooled_dim1, pooled_dim2, pooled_dim3, channels)`` (or channels first).

    # Example

    ```python
        model.add(MaxPooling3D(input_shape=(4, 4, 4, 2)))
        # now: model.output_shape == (None, 2, 2, 2, 2)
    ```
    """

    pool_mode = "max"


class AveragePooling3D(_Pooling3D):
    """Average pooling operation for 3D data (spatial or spatio-temporal).

    {args}

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        5D tensor ``(batch, pooled_dim1, pooled_dim2, pooled_dim3, channels)`` (or channels first).

    # Example

    ```python
        model.add(AveragePooling3D(input_shape=(4, 4, 4, 2)))
        # now: model.output_shape == (None, 2, 2, 2, 2)
    ```
    """

    pool_mode = "avg"


class _GlobalPooling(Layer):
    """The maximum or the mean over every spatial axis: ``(batch, channels)``."""

    rank = 0
    pool_mode = "max"

    def __init__(self, data_format: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], input_shape[channel_axis(self.data_format)])

    def call(self, inputs):
        reduce = K.max if self.pool_mode == "max" else K.mean
        return reduce(inputs, axis=spatial_axes(self.rank, self.data_format))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


_GLOBAL_ARGS = """# Arguments
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: {default})."""


class _GlobalPooling1D(_GlobalPooling):
    """Global pooling of temporal data, channels last by default."""

    rank = 1

    def __init__(self, data_format: str = "channels_last", **kwargs):
        super().__init__(data_format, **kwargs)


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Global max pooling operation for temporal data.

    {args}

    # Input shape
        3D tensor ``(batch, steps, features)`` (or channels first).

    # Output shape
        2D tensor ``(batch, features)``.

    # Example

    ```python
        model.add(GlobalMaxPooling1D(input_shape=(10, 4)))
        # now: model.output_shape == (None, 4)
    ```
    """

    pool_mode = "max"


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Global average pooling operation for temporal data; masked steps are left out of the mean.

    {args}

    # Input shape
        3D tensor ``(batch, steps, features)`` (or channels first).

    # Output shape
        2D tensor ``(batch, features)``.

    # Example

    ```python
        model.add(Masking(input_shape=(10, 4)))
        model.add(GlobalAveragePooling1D())
        # now: model.output_shape == (None, 4)
    ```
    """

    pool_mode = "avg"

    def __init__(self, data_format: str = "channels_last", **kwargs):
        super().__init__(data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        mask = K.expand_dims(K.cast(mask, K.dtype(inputs)), 2 if self.data_format == "channels_last" else 1)
        return K.sum(inputs * mask, axis=steps_axis) / K.sum(mask, axis=steps_axis)

    def compute_mask(self, inputs, mask=None):
        return None


class _GlobalPooling2D(_GlobalPooling):
    """Global pooling of 2-D data."""

    rank = 2


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Global max pooling operation for spatial data.

    {args}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        2D tensor ``(batch, channels)``.

    # Example

    ```python
        model.add(GlobalMaxPooling2D(input_shape=(8, 8, 16)))
        # now: model.output_shape == (None, 16)
    ```
    """

    pool_mode = "max"


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Global average pooling operation for spatial data.

    {args}

    # Input shape
        4D tensor ``(batch, rows, cols, channels)`` (or channels first).

    # Output shape
        2D tensor ``(batch, channels)``.

    # Example

    ```python
        model.add(GlobalAveragePooling2D(input_shape=(8, 8, 16)))
        # now: model.output_shape == (None, 16)
    ```
    """

    pool_mode = "avg"


class _GlobalPooling3D(_GlobalPooling):
    """Global pooling of 3-D data."""

    rank = 3


class GlobalMaxPooling3D(_GlobalPooling3D):
    """Global max pooling operation for 3D data.

    {args}

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        2D tensor ``(batch, channels)``.

    # Example

    ```python
        model.add(GlobalMaxPooling3D(input_shape=(4, 4, 4, 2)))
        # now: model.output_shape == (None, 2)
    ```
    """

    pool_mode = "max"


class GlobalAveragePooling3D(_GlobalPooling3D):
    """Global average pooling operation for 3D data.

    {args}

    # Input shape
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (or channels first).

    # Output shape
        2D tensor ``(batch, channels)``.

    # Example

    ```python
        model.add(GlobalAveragePooling3D(input_shape=(4, 4, 4, 2)))
        # now: model.output_shape == (None, 2)
    ```
    """

    pool_mode = "avg"


for _layer in (MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D, MaxPooling3D, AveragePooling3D):
    _default = "``'channels_last'``" if _layer.rank == 1 else "`K.image_data_format()`"
    _layer.__doc__ = _layer.__doc__.replace("{args}", _POOL_ARGS.format(n=_layer.rank, default=_default))
for _layer in (GlobalMaxPooling1D, GlobalAveragePooling1D, GlobalMaxPooling2D, GlobalAveragePooling2D,
               GlobalMaxPooling3D, GlobalAveragePooling3D):
    _default = "``'channels_last'``" if _layer.rank == 1 else "`K.image_data_format()`"
    _layer.__doc__ = _layer.__doc__.replace("{args}", _GLOBAL_ARGS.format(default=_default))

# Aliases (Keras 2.2.4's names)
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
