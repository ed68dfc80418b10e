"""Keras 1 layers that Keras 2.2.4 still accepts (``keras.legacy.layers``): the atrous convolutions.

`AtrousConvolution1D` and `AtrousConvolution2D` are Keras 1's dilated convolutions; they build
today's `Conv1D` / `Conv2D` with ``dilation_rate=atrous_rate`` (and Keras 1's other argument
names, converted by those layers), warning as Keras 2.2.4 does.
"""
from __future__ import annotations

import warnings

from symkeras.engine.base_layer import Layer


def _atrous(conv: type, name: str, args: tuple, kwargs: dict) -> Layer:
    kwargs["dilation_rate"] = kwargs.pop("atrous_rate", 1)
    warnings.warn(f"The `{name}` layer has been deprecated. Use instead the `{conv.__name__}` layer with the "
                  f"`dilation_rate` argument.", stacklevel=3)
    return conv(*args, **kwargs)


def AtrousConvolution1D(*args, **kwargs) -> Layer:
    """Keras 1's ``AtrousConvolution1D(nb_filter, filter_length, atrous_rate=1, ...)``: a dilated `Conv1D`."""
    from symkeras.layers.convolutional import Conv1D

    return _atrous(Conv1D, "AtrousConvolution1D", args, kwargs)


def AtrousConvolution2D(*args, **kwargs) -> Layer:
    """Keras 1's ``AtrousConvolution2D(nb_filter, nb_row, nb_col, atrous_rate=(1, 1), ...)``: a dilated `Conv2D`."""
    from symkeras.layers.convolutional import Conv2D

    return _atrous(Conv2D, "AtrousConvolution2D", args, kwargs)
