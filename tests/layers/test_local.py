"""Locally-connected layers: values against a direct loop over output positions, shapes, configs, gradients."""
import itertools

import numpy as np
import pytest

from symkeras.layers import Input, LocallyConnected1D, LocallyConnected2D
from tests.layers.layer_checks import Case, layer_tests
from tests.ops.cases_conv import first_to_last, last_to_first


def direct_local(x, kernel, bias, window, strides, channels_first=False):
    """Keras's unshared convolution, one output position at a time: the patch (flattened offsets-then-channels,
    channels-then-offsets for channels-first data) times that position's kernel, plus its bias."""
    x = first_to_last(x) if channels_first else x
    out = tuple((n - k) // s + 1 for n, k, s in zip(x.shape[1:-1], window, strides))
    y = np.zeros((x.shape[0],) + out + (kernel.shape[-1],))
    for p, pos in enumerate(itertools.product(*(range(o) for o in out))):
        index = (slice(None),) + tuple(slice(i * s, i * s + k) for i, s, k in zip(pos, strides, window))
        patch = x[index]
        if channels_first:
            patch = np.moveaxis(patch, -1, 1)
        y[(slice(None),) + pos] = patch.reshape(x.shape[0], -1) @ kernel[p]
    y = y + (0 if bias is None else bias)
    return last_to_first(y) if channels_first else y


CASES = [
    Case("locally_connected1d", lambda **kw: LocallyConnected1D(3, 2, bias_initializer="uniform", **kw), (5, 2),
         lambda x, w: direct_local(x, w[0], w[1], (2,), (1,))),
    Case("locally_connected1d_strided_no_bias", lambda **kw: LocallyConnected1D(2, 3, strides=2, use_bias=False, **kw),
         (7, 1), lambda x, w: direct_local(x, w[0], None, (3,), (2,))),
    Case("locally_connected2d_relu",
         lambda **kw: LocallyConnected2D(2, (2, 3), strides=(2, 1), activation="relu", bias_initializer="uniform",
                                         **kw), (5, 4, 2),
         lambda x, w: np.maximum(direct_local(x, w[0], w[1], (2, 3), (2, 1)), 0)),
    Case("locally_connected2d_channels_first",
         lambda **kw: LocallyConnected2D(2, 2, data_format="channels_first", bias_initializer="uniform", **kw),
         (3, 3, 4), lambda x, w: direct_local(x, w[0], w[1], (2, 2), (1, 1), channels_first=True)),
]


test_output_matches_numpy_and_compute_output_shape, test_config_round_trip, test_gradient_through_layer = \
    layer_tests(CASES)


def test_weight_layouts_are_keras_layouts():
    layer = LocallyConnected2D(4, 3)
    layer(Input(shape=(6, 5, 2)))
    assert [tuple(w.shape) for w in layer.get_weights()] == [(4 * 3, 3 * 3 * 2, 4), (4, 3, 4)]
    layer = LocallyConnected1D(4, 3, strides=2)
    layer(Input(shape=(9, 2)))
    assert [tuple(w.shape) for w in layer.get_weights()] == [(4, 6, 4), (4, 4)]


def test_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match="only 'valid' is supported"):
        LocallyConnected2D(2, 3, padding="same")
    with pytest.raises(ValueError, match=r"LocallyConnected2D layer locally_connected2d_\d+: a kernel of size \(3, 3\) "
                                         r".*does not fit the input of shape \(None, 2, 5, 1\)"):
        LocallyConnected2D(2, 3)(Input(shape=(2, 5, 1)))
    with pytest.raises(ValueError, match=r"LocallyConnected1D layer locally_connected1d_\d+: the spatial sizes of the "
                                         r"input must be defined, got input shape \(None, None, 3\)"):
        LocallyConnected1D(2, 3)(Input(shape=(None, 3)))
