"""Pooling layers: values against direct numpy references, shapes, configs, gradients, errors, masking."""
import numpy as np
import pytest

from symkeras import layers
from symkeras.layers import (
    AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D, GlobalAveragePooling2D,
    GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, Input, Masking, MaxPooling1D,
    MaxPooling2D, MaxPooling3D,
)
from tests.keras_helpers import evaluate
from tests.layers.layer_checks import Case, layer_tests
from tests.ops.cases_conv import first_to_last, last_to_first
from tests.ops.cases_pool import direct_pool


def pool(x, size, strides=None, padding="valid", mode="max", channels_first=False):
    x = first_to_last(x) if channels_first else x
    y = direct_pool(x, size, strides or size, padding, mode)
    return last_to_first(y) if channels_first else y


CASES = [
    Case("max_pooling1d", lambda **kw: MaxPooling1D(**kw), (5, 2), lambda x, w: pool(x, (2,))),
    Case("average_pooling1d_same_channels_first",
         lambda **kw: AveragePooling1D(3, strides=2, padding="same", data_format="channels_first", **kw), (2, 5),
         lambda x, w: pool(x, (3,), (2,), "same", "avg", channels_first=True)),
    Case("max_pooling2d", lambda **kw: MaxPooling2D(**kw), (4, 5, 2), lambda x, w: pool(x, (2, 2))),
    Case("max_pooling2d_same_strided", lambda **kw: MaxPooling2D((3, 2), strides=(2, 1), padding="same", **kw),
         (5, 4, 1), lambda x, w: pool(x, (3, 2), (2, 1), "same")),
    Case("average_pooling2d_same", lambda **kw: AveragePooling2D(3, strides=2, padding="same", **kw), (5, 4, 2),
         lambda x, w: pool(x, (3, 3), (2, 2), "same", "avg")),
    Case("max_pooling3d_channels_first", lambda **kw: MaxPooling3D(data_format="channels_first", **kw), (1, 2, 4, 3),
         lambda x, w: pool(x, (2, 2, 2), channels_first=True)),
    Case("average_pooling3d", lambda **kw: AveragePooling3D((1, 2, 2), **kw), (2, 3, 2, 1),
         lambda x, w: pool(x, (1, 2, 2), mode="avg")),
    Case("global_max_pooling1d", lambda **kw: GlobalMaxPooling1D(**kw), (4, 3), lambda x, w: x.max(axis=1)),
    Case("global_average_pooling1d_channels_first", lambda **kw: GlobalAveragePooling1D("channels_first", **kw),
         (3, 4), lambda x, w: x.mean(axis=2)),
    Case("global_max_pooling2d", lambda **kw: GlobalMaxPooling2D(**kw), (3, 2, 2), lambda x, w: x.max(axis=(1, 2))),
    Case("global_average_pooling2d_channels_first",
         lambda **kw: GlobalAveragePooling2D(data_format="channels_first", **kw), (2, 3, 2),
         lambda x, w: x.mean(axis=(2, 3))),
    Case("global_max_pooling3d", lambda **kw: GlobalMaxPooling3D(**kw), (2, 2, 2, 1),
         lambda x, w: x.max(axis=(1, 2, 3))),
    Case("global_average_pooling3d", lambda **kw: GlobalAveragePooling3D(**kw), (2, 1, 2, 2),
         lambda x, w: x.mean(axis=(1, 2, 3))),
]


test_output_matches_numpy_and_compute_output_shape, test_config_round_trip, test_gradient_through_layer = \
    layer_tests(CASES)


def test_aliases_and_config():
    assert layers.MaxPool2D is MaxPooling2D and layers.AvgPool1D is AveragePooling1D
    assert layers.GlobalAvgPool3D is GlobalAveragePooling3D and layers.GlobalMaxPool1D is GlobalMaxPooling1D
    assert not isinstance(AveragePooling2D(), MaxPooling2D)
    assert MaxPooling1D(3).get_config()["pool_size"] == (3,) and MaxPooling1D(3).get_config()["strides"] == (3,)
    assert MaxPooling2D().get_config()["data_format"] == "channels_last"


def test_global_average_pooling1d_leaves_masked_steps_out():
    x = Input(shape=(4, 2))
    y = GlobalAveragePooling1D()(Masking(0.0)(x))
    data = np.arange(16, dtype="float32").reshape(2, 4, 2) + 1
    data[0, 1:] = 0.0  # only the first step of sample 0 is kept
    (value,) = evaluate([x], [y], [data])
    np.testing.assert_allclose(value, [data[0, 0], data[1].mean(axis=0)], rtol=1e-6)
    assert y._keras_shape == (None, 2)


def test_pool_larger_than_the_input_is_an_error_naming_the_layer():
    with pytest.raises(ValueError, match=r"MaxPooling2D layer max_pooling2d_\d+: a pool of size \(3, 3\) does not "
                                         r"fit the input of shape \(None, 2, 5, 1\) with 'valid' padding"):
        MaxPooling2D(3)(Input(shape=(2, 5, 1)))


def test_rank_mismatch_is_an_error_naming_the_layer():
    with pytest.raises(ValueError, match=r"incompatible with layer max_pooling1d_\d+: expected ndim=3, found ndim=4"):
        MaxPooling1D()(Input(shape=(4, 4, 1)))
