"""Core layers: shapes, configs, values against numpy, gradients, and their specific behaviour."""
import json

import numpy as np
import pytest

from symkeras import backend as K
from symkeras.graph import verify_grad
from symkeras.utils.generic_utils import has_arg
from symkeras.layers import (
    Activation, ActivityRegularization, Dense, Dropout, Flatten, Input, Lambda, Masking, Permute, RepeatVector,
    Reshape, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
)
from tests.keras_helpers import LayerCase as Case, assert_config_round_trip, call_with_weights, evaluate


def doubled_features(x):
    return K.concatenate([x, 2.0 * x], axis=-1)


def doubled_features_shape(input_shape):
    return input_shape[:-1] + (2 * input_shape[-1],)


def _masked(x):
    keep = np.any(x != 0.0, axis=-1, keepdims=True)
    return x * keep


CASES = [
    Case("dense", lambda **kw: Dense(3, bias_initializer="glorot_uniform", **kw), (4,),
         lambda x, w: x @ w[0] + w[1]),
    Case("dense_tanh_3d", lambda **kw: Dense(3, activation="tanh", bias_initializer="ones", **kw), (2, 4),
         lambda x, w: np.tanh(x @ w[0] + w[1])),
    Case("dense_no_bias", lambda **kw: Dense(2, use_bias=False, **kw), (5,), lambda x, w: x @ w[0]),
    Case("activation_sigmoid", lambda **kw: Activation("sigmoid", **kw), (5,), lambda x, w: 1 / (1 + np.exp(-x))),
    Case("dropout_test_phase", lambda **kw: Dropout(0.5, **kw), (5,), lambda x, w: x),
    Case("flatten", lambda **kw: Flatten(**kw), (2, 3, 4), lambda x, w: x.reshape(len(x), -1)),
    Case("flatten_channels_first", lambda **kw: Flatten(data_format="channels_first", **kw), (2, 3, 4),
         lambda x, w: x.transpose(0, 2, 3, 1).reshape(len(x), -1)),
    Case("reshape", lambda **kw: Reshape((3, 4), **kw), (12,), lambda x, w: x.reshape(len(x), 3, 4)),
    Case("reshape_unknown_dim", lambda **kw: Reshape((-1, 2), **kw), (3, 4), lambda x, w: x.reshape(len(x), 6, 2)),
    Case("permute", lambda **kw: Permute((2, 1), **kw), (3, 4), lambda x, w: x.transpose(0, 2, 1)),
    Case("permute_3d", lambda **kw: Permute((3, 1, 2), **kw), (2, 3, 4), lambda x, w: x.transpose(0, 3, 1, 2)),
    Case("repeat_vector", lambda **kw: RepeatVector(3, **kw), (4,), lambda x, w: np.repeat(x[:, None], 3, axis=1)),
    Case("lambda", lambda **kw: Lambda(lambda x: x ** 2, **kw), (4,), lambda x, w: x ** 2),
    Case("lambda_named_with_shape", lambda **kw: Lambda(doubled_features, output_shape=doubled_features_shape, **kw),
         (2, 3), lambda x, w: np.concatenate([x, 2 * x], axis=-1)),
    Case("lambda_arguments", lambda **kw: Lambda(lambda x, scale: x * scale, output_shape=(4,),
                                                 arguments={"scale": 3.0}, **kw), (4,), lambda x, w: 3 * x),
    Case("activity_regularization", lambda **kw: ActivityRegularization(l1=0.01, l2=0.02, **kw), (4,),
         lambda x, w: x),
    Case("masking", lambda **kw: Masking(0.0, **kw), (3, 4), lambda x, w: _masked(x)),
    Case("spatial_dropout1d", lambda **kw: SpatialDropout1D(0.5, **kw), (3, 4), lambda x, w: x),
    Case("spatial_dropout2d", lambda **kw: SpatialDropout2D(0.5, **kw), (3, 3, 2), lambda x, w: x),
    Case("spatial_dropout3d", lambda **kw: SpatialDropout3D(0.5, data_format="channels_first", **kw),
         (2, 2, 2, 2), lambda x, w: x),
]


def _data(shape, seed=0, dtype="float32"):
    x = np.random.default_rng(seed).normal(size=(2,) + shape).astype(dtype)
    x[1, 0] = 0.0  # a masked timestep (or a zero row): masking layers must handle it
    return x


def _built(case):
    """The case's layer, called on an input of its shape: (layer, input, output)."""
    layer = case.make()
    x = Input(shape=case.shape)
    return layer, x, layer(x)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_output_matches_numpy_and_compute_output_shape(case):
    layer, x, y = _built(case)
    data = _data(case.shape)
    (value,) = evaluate([x], [y], [data])
    np.testing.assert_allclose(value, case.reference(data, layer.get_weights()), rtol=1e-5, atol=1e-6)
    expected = layer.compute_output_shape((None,) + case.shape)
    assert y._keras_shape == expected == layer.output_shape
    assert value.shape[1:] == expected[1:]
    assert all(s is None or s == e for s, e in zip(K.int_shape(y), expected))


def _comparable(config):
    """A config as JSON, without marshalled bytecode (equal functions need not marshal to equal bytes)."""
    config = json.loads(json.dumps(config))
    for key in ("function", "output_shape"):
        if config.get(f"{key}_type") == "lambda":
            config[key] = config[key][1:]
    return config


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_config_round_trip(case):
    layer, x, y = _built(case)
    assert_config_round_trip(layer, x, y, _data(case.shape, seed=1), normalize=_comparable)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradient_through_layer(case):
    layer = case.make(dtype="float64")
    layer(Input(shape=case.shape, dtype="float64"))
    data = np.random.default_rng(2).normal(size=(2,) + case.shape)  # no zero: masks stay put
    weights = [w.astype("float64") for w in layer.get_weights()]
    kwargs = {"training": False} if has_arg(layer.call, "training") else {}
    verify_grad(lambda x, *ws: call_with_weights(layer, x, ws, **kwargs), [data] + weights)


def test_dense_kernel_layout_and_weights():
    layer = Dense(3, input_dim=4)
    assert layer.batch_input_shape == (None, 4)
    x = Input(shape=(4,))
    layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.count_params() == 15


def test_dense_on_undefined_last_axis_is_an_error():
    with pytest.raises(ValueError, match="last dimension of the input to the Dense layer dense_"):
        Dense(2)(Input(batch_shape=(None, None)))


def test_dense_regularizers_add_losses():
    layer = Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
    x = Input(shape=(3,))
    layer(x)
    assert len(layer.get_losses_for(None)) == 1  # the weight penalty is unconditional
    assert len(layer.get_losses_for(x)) == 1  # the activity penalty belongs to the call on x
    assert len(layer.losses) == 2


def test_activity_regularization_penalty_value():
    x = Input(shape=(3,))
    layer = ActivityRegularization(l1=0.5, l2=0.25)
    layer(x)
    (penalty,) = layer.get_losses_for(x)
    data = np.array([[1.0, -2.0, 3.0]], "float32")
    (value,) = evaluate([x], [penalty], [data])
    assert value == pytest.approx(0.5 * 6.0 + 0.25 * 14.0)


@pytest.mark.parametrize("training", [True, False])
def test_dropout_scales_kept_units_in_training_only(training):
    x = Input(shape=(1000,))
    y = Dropout(0.4)(x, training=training)
    (value,) = evaluate([x], [y], [np.ones((4, 1000), "float32")])
    if training:
        kept = value != 0
        np.testing.assert_allclose(value[kept], 1 / 0.6, rtol=1e-6)
        assert 0.5 < kept.mean() < 0.7
    else:
        np.testing.assert_array_equal(value, 1.0)


def test_dropout_follows_the_learning_phase():
    x = Input(shape=(100,))
    y = Dropout(0.5)(x)
    assert y._uses_learning_phase
    ones = np.ones((2, 100), "float32")
    np.testing.assert_array_equal(evaluate([x], [y], [ones], learning_phase=0)[0], ones)
    assert (evaluate([x], [y], [ones], learning_phase=1)[0] == 0).any()


def test_dropout_gradient_is_the_mask():
    x = K.placeholder(shape=(3, 50), dtype="float64")
    y = Dropout(0.5, dtype="float64")(x, training=True)
    u = np.random.default_rng(0).uniform(0.5, 1.5, (3, 50))
    grad = K.gradients(K.sum(y * u), [x])[0]
    data = np.random.default_rng(1).uniform(1.0, 2.0, (3, 50))
    value, g = K.function([x], [y, grad])([data])
    np.testing.assert_allclose(g, (value / data) * u, rtol=1e-12)


def test_dropout_noise_shape_shares_the_mask():
    x = Input(shape=(6, 40))
    y = Dropout(0.5, noise_shape=(None, 1, 40))(x, training=True)
    (value,) = evaluate([x], [y], [np.ones((3, 6, 40), "float32")])
    np.testing.assert_array_equal(value, np.broadcast_to(value[:, :1], value.shape))


@pytest.mark.parametrize("layer, shape, shared_axes", [
    (SpatialDropout1D(0.5), (5, 30), (1,)),
    (SpatialDropout2D(0.5), (3, 4, 30), (1, 2)),
    (SpatialDropout2D(0.5, data_format="channels_first"), (30, 3, 4), (2, 3)),
    (SpatialDropout3D(0.5), (2, 3, 2, 30), (1, 2, 3)),
], ids=["1d", "2d", "2d_channels_first", "3d"])
def test_spatial_dropout_drops_whole_feature_maps(layer, shape, shared_axes):
    x = Input(shape=shape)
    y = layer(x, training=True)
    (value,) = evaluate([x], [y], [np.ones((2,) + shape, "float32")])
    reduced = value
    for axis in shared_axes:
        reduced = np.take(reduced, [0], axis=axis)
    np.testing.assert_array_equal(value, np.broadcast_to(reduced, value.shape))
    assert (value == 0).any() and (value != 0).any()


def test_spatial_dropout_checks_ndim():
    with pytest.raises(ValueError, match="Input 0 is incompatible with layer spatial_dropout1d_.*expected ndim=3"):
        SpatialDropout1D(0.5)(Input(shape=(4,)))


def test_flatten_needs_a_defined_shape():
    with pytest.raises(ValueError, match=r'The shape of the input to "Flatten" is not fully defined '
                                         r'\(got \(None, 3\) in layer flatten_'):
        Flatten()(Input(shape=(None, 3)))


def test_reshape_size_mismatch_is_an_error():
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        Reshape((5,))(Input(shape=(3, 4)))
    with pytest.raises(ValueError, match="only specify one unknown dimension"):
        Reshape((-1, -1))(Input(shape=(3, 4)))


def test_reshape_with_unknown_input_axis():
    x = Input(shape=(None, 4))
    y = Reshape((-1, 2))(x)
    assert y._keras_shape == (None, None, 2)
    (value,) = evaluate([x], [y], [np.arange(24, dtype="float32").reshape(2, 3, 4)])
    np.testing.assert_array_equal(value, np.arange(24).reshape(2, 6, 2))


def test_permute_rejects_a_bad_pattern():
    with pytest.raises(ValueError, match="Invalid permutation `dims`"):
        Permute((0, 1))


def test_masking_mask_reaches_the_next_layer():
    x = Input(shape=(3, 2))
    masked = Masking(0.0)(x)
    y = Lambda(lambda t, mask: t * K.cast(K.expand_dims(mask), K.floatx()), mask=lambda t, mask: mask)(masked)
    data = np.array([[[1, 2], [0, 0], [3, 0]]], "float32")
    mask, value = evaluate([x], [masked._keras_history[0].get_output_mask_at(0), y], [data])
    np.testing.assert_array_equal(mask, [[True, False, True]])
    np.testing.assert_array_equal(value, data)


def test_mask_into_a_layer_without_masking_support_is_an_error():
    masked = Masking()(Input(shape=(3, 2)))
    with pytest.raises(TypeError, match="Layer flatten_.* does not support masking"):
        Flatten()(masked)


def test_lambda_output_shape_is_inferred_from_the_graph():
    x = Input(shape=(3, 4))
    y = Lambda(lambda t: K.sum(t, axis=1))(x)
    assert y._keras_shape == (None, 4)


def test_lambda_on_several_inputs():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    y = Lambda(lambda ts: ts[0] - ts[1])([a, b])
    assert y._keras_shape == (None, 3)
    (value,) = evaluate([a, b], [y], [np.ones((1, 3)), np.full((1, 3), 3.0)])
    np.testing.assert_array_equal(value, [[-2, -2, -2]])


def test_lambda_config_stores_named_functions_by_name_and_lambdas_as_code():
    named = Lambda(doubled_features).get_config()
    assert named["function_type"] == "function" and named["function"] == "doubled_features"
    assert named["module"] == __name__
    anonymous = Lambda(lambda x: x + 1).get_config()
    assert anonymous["function_type"] == "lambda" and isinstance(anonymous["function"][0], str)


def test_lambda_closure_and_ndarray_arguments_round_trip():
    offset = 5.0
    layer = Lambda(lambda x, w: x * w + offset, arguments={"w": np.array([1.0, 2.0], "float32")})
    clone = Lambda.from_config(json.loads(json.dumps(layer.get_config())))
    x = Input(shape=(2,))
    (value,) = evaluate([x], [clone(x)], [np.ones((1, 2), "float32")])
    np.testing.assert_array_equal(value, [[6.0, 7.0]])
