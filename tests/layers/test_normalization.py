"""BatchNormalization: values in both phases against numpy, moving statistics after fit steps, weights,
config, gradients, frozen behaviour, Keras 1 arguments, and one compiled (numba) fit against the py linker.
"""
import numpy as np
import pytest

import symkeras as keras
from symkeras.graph import verify_grad
from symkeras.layers import BatchNormalization, Dense, Input
from tests.keras_helpers import assert_config_round_trip, assert_numba_fit_matches_py, call_with_weights, evaluate

EPS = 1e-3


def batchnorm_reference(x, mean, var, gamma=None, beta=None, axis=-1, epsilon=EPS):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` with the per-channel parameters along `axis`."""
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + epsilon)
    if gamma is not None:
        out = out * gamma.reshape(shape)
    if beta is not None:
        out = out + beta.reshape(shape)
    return out


def batch_statistics(x, axis):
    """Per-channel mean, population variance, and the number of values per channel."""
    reduced = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    return x.mean(axis=reduced), x.var(axis=reduced), x.size // x.shape[axis]


def _random_weights(layer, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.5, 1.5, w.shape).astype(w.dtype) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("shape, axis", [((5,), -1), ((3, 4), -1), ((3, 2, 4), 1), ((2, 3, 4), 2)],
                         ids=["2d", "3d_last", "4d_channels_first", "4d_axis2"])
def test_both_phases_match_numpy(shape, axis):
    layer = BatchNormalization(axis=axis)
    x = Input(shape=shape)
    y = layer(x)
    assert y._uses_learning_phase
    assert y._keras_shape == layer.compute_output_shape((None,) + shape) == (None,) + shape
    gamma, beta, moving_mean, moving_var = _random_weights(layer)
    data = np.random.default_rng(1).normal(2.0, 3.0, size=(6,) + shape).astype("float32")
    (train,) = evaluate([x], [y], [data], learning_phase=1)
    (test,) = evaluate([x], [y], [data], learning_phase=0)
    mean, var, _ = batch_statistics(data, axis)
    np.testing.assert_allclose(train, batchnorm_reference(data, mean, var, gamma, beta, axis), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(test, batchnorm_reference(data, moving_mean, moving_var, gamma, beta, axis),
                               rtol=1e-5, atol=1e-6)


def test_without_center_and_scale():
    layer = BatchNormalization(center=False, scale=False)
    x = Input(shape=(4,))
    y = layer(x, training=True)
    assert [w.name for w in layer.weights] == [f"{layer.name}/moving_mean", f"{layer.name}/moving_variance"]
    data = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    (value,) = evaluate([x], [y], [data])
    mean, var, _ = batch_statistics(data, -1)
    np.testing.assert_allclose(value, batchnorm_reference(data, mean, var), rtol=1e-4, atol=1e-5)


def test_weights_order_shapes_and_trainability():
    layer = BatchNormalization(axis=1)
    layer(Input(shape=(3, 2, 2)))
    names = [w.name.split("/")[-1] for w in layer.weights]
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in layer.get_weights()] == [(3,)] * 4
    assert [w.name.split("/")[-1] for w in layer.trainable_weights] == ["gamma", "beta"]
    np.testing.assert_array_equal(np.stack(layer.get_weights()), [[1] * 3, [0] * 3, [0] * 3, [1] * 3])
    assert layer.count_params() == 12


def test_static_phase_argument_picks_one_branch():
    x = Input(shape=(3,))
    layer = BatchNormalization()
    test_only = layer(x, training=False)
    assert not getattr(test_only, "_uses_learning_phase", False)
    assert layer.get_updates_for(x) == []  # no batch statistics: nothing to update
    train_only = layer(x, training=True)
    assert len(layer.get_updates_for(x)) == 2
    data = np.random.default_rng(3).normal(size=(4, 3)).astype("float32")
    test_value, train_value = evaluate([x], [test_only, train_only], [data])
    np.testing.assert_allclose(test_value, data / np.sqrt(1 + EPS), rtol=1e-6)
    mean, var, _ = batch_statistics(data, -1)
    np.testing.assert_allclose(train_value, batchnorm_reference(data, mean, var), rtol=1e-4, atol=1e-5)


def test_config_round_trip():
    layer = BatchNormalization(axis=1, momentum=0.9, epsilon=1e-2, center=False, gamma_initializer="glorot_uniform",
                               gamma_regularizer="l2", gamma_constraint="non_neg")
    x = Input(shape=(3, 2))
    y = layer(x)
    config = layer.get_config()
    assert config["axis"] == 1 and config["momentum"] == 0.9 and config["center"] is False
    data = np.random.default_rng(4).normal(size=(4, 3, 2)).astype("float32")
    assert_config_round_trip(layer, x, y, data, learning_phases=(0, 1))


@pytest.mark.parametrize("training", [True, False])
def test_gradient_through_layer(training):
    layer = BatchNormalization(axis=1, dtype="float64")
    layer(Input(shape=(3, 2), dtype="float64"))
    rng = np.random.default_rng(5)
    data = rng.normal(size=(4, 3, 2))
    weights = [rng.uniform(0.5, 1.5, w.shape) for w in layer.get_weights()]
    verify_grad(lambda x, *ws: call_with_weights(layer, x, ws, training=training), [data] + weights)


def _bn_model(momentum=0.9, trainable=True):
    """Input(3) → BatchNormalization, trained with mean squared error by SGD."""
    model = keras.Sequential([BatchNormalization(momentum=momentum, trainable=trainable, input_shape=(3,))])
    model.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss="mse")
    return model


def test_fit_steps_update_moving_statistics_with_the_unbiased_variance():
    model = _bn_model(momentum=0.9)
    layer = model.layers[0]
    rng = np.random.default_rng(6)
    batches = [rng.normal(1.0, 2.0, size=(4, 3)).astype("float32") for _ in range(2)]
    expected_mean, expected_var = np.zeros(3), np.ones(3)
    for data in batches:
        model.train_on_batch(data, np.zeros_like(data))
        mean, var, n = batch_statistics(data, -1)
        expected_mean = 0.9 * expected_mean + 0.1 * mean
        expected_var = 0.9 * expected_var + 0.1 * var * n / (n - (1.0 + EPS))
        moving_mean, moving_var = layer.get_weights()[2:]
        np.testing.assert_allclose(moving_mean, expected_mean, rtol=1e-5)
        np.testing.assert_allclose(moving_var, expected_var, rtol=1e-5)
    # prediction (test phase) normalizes with the moving statistics
    gamma, beta = layer.get_weights()[:2]
    probe = rng.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(probe), batchnorm_reference(probe, moving_mean, moving_var, gamma, beta),
                               rtol=1e-5, atol=1e-6)
    # evaluation does not move the statistics
    model.evaluate(probe, probe, verbose=0)
    np.testing.assert_array_equal(layer.get_weights()[2], moving_mean)


def test_frozen_layer_keeps_its_weights_but_normalizes_with_batch_statistics():
    model = _bn_model(trainable=False)
    layer = model.layers[0]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    before = layer.get_weights()
    data = np.random.default_rng(7).normal(3.0, 2.0, size=(4, 3)).astype("float32")
    target = np.zeros_like(data)
    loss = model.train_on_batch(data, target)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(new, old)
    mean, var, _ = batch_statistics(data, -1)
    # the training loss is that of the batch-normalized output (Keras 2.x), not of the moving statistics
    assert loss == pytest.approx(np.mean(batchnorm_reference(data, mean, var) ** 2), rel=1e-5)
    assert model.evaluate(data, target, verbose=0) == pytest.approx(np.mean((data / np.sqrt(1 + EPS)) ** 2), rel=1e-5)


def test_keras1_arguments():
    with pytest.warns(UserWarning, match="Update your `BatchNormalization` call to the Keras 2 API: "
                                         "`BatchNormalization.*use `beta_initializer=` instead of `beta_init=`"):
        layer = BatchNormalization(beta_init="ones", gamma_init="zeros")
    layer(Input(shape=(2,)))
    np.testing.assert_array_equal(layer.get_weights()[:2], [[0, 0], [1, 1]])
    with pytest.warns(UserWarning, match="drop `mode=0`"):
        BatchNormalization(mode=0)
    with pytest.raises(TypeError, match="`mode` argument of `BatchNormalization` no longer exists"):
        BatchNormalization(mode=2)
    with pytest.raises(TypeError, match="`BatchNormalization` can accept only 0 positional arguments"):
        BatchNormalization(1)


def test_bad_axes_are_clear_errors():
    with pytest.raises(ValueError, match="Axis 1 of input tensor should have a defined dimension .* "
                                         r"batch_normalization_\d+ received an input with shape \(None, None\)"):
        BatchNormalization(axis=1)(Input(shape=(None,)))
    with pytest.raises(ValueError, match=r"batch_normalization_\d+: axis 3 is out of range for an input of shape "
                                         r"\(None, 4\)"):
        BatchNormalization(axis=3)(Input(shape=(4,)))
    with pytest.raises(TypeError, match=r"BatchNormalization layer batch_normalization_\d+: `axis` must be an int, "
                                        r"got \(1, 2\)"):
        BatchNormalization(axis=(1, 2))
    layer = BatchNormalization()
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r"incompatible with layer batch_normalization_\d+"):
        layer(Input(shape=(5,)))


def test_numba_fit_matches_the_py_linker():
    """One compiled training function (forward, loss, gradient, SGD and BatchNorm updates) against numpy."""
    rng = np.random.default_rng(8)
    x = rng.normal(1.0, 2.0, size=(12, 3)).astype("float32")
    y = rng.normal(size=(12, 2)).astype("float32")

    def build(mode):
        inputs = Input(shape=(3,))
        model = keras.Model(inputs, Dense(2)(BatchNormalization(momentum=0.8)(inputs)))
        model.compile(optimizer=keras.optimizers.SGD(lr=0.05), loss="mse", mode=mode)
        return model

    assert_numba_fit_matches_py(build, x, y, batch_size=4)
