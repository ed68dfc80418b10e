"""Noise layers: identity at test time, Keras 2.2.4's noise formulas in training, gradients, configs."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras.activations import SELU_ALPHA, SELU_SCALE
from symkeras.layers import AlphaDropout, GaussianDropout, GaussianNoise, Input
from tests.keras_helpers import assert_config_round_trip, evaluate

ALPHA_P = -SELU_ALPHA * SELU_SCALE

MAKERS = {
    "gaussian_noise": lambda: GaussianNoise(0.5),
    "gaussian_dropout": lambda: GaussianDropout(0.3),
    "alpha_dropout": lambda: AlphaDropout(0.2, noise_shape=(None, 1, 4), seed=3),
}


def alpha_dropout_affine(rate):
    """AlphaDropout's ``a`` and ``b``: ``a * (x * kept + alpha_p * (1 - kept)) + b``."""
    a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5
    return a, -a * ALPHA_P * rate


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_identity_in_test_phase_shape_and_config(name):
    layer = MAKERS[name]()
    x = Input(shape=(3, 4))
    y = layer(x)
    assert y._uses_learning_phase
    assert y._keras_shape == layer.compute_output_shape((None, 3, 4)) == (None, 3, 4)
    data = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    (value,) = evaluate([x], [y], [data], learning_phase=0)
    np.testing.assert_array_equal(value, data)
    (noisy,) = evaluate([x], [y], [data], learning_phase=1)
    assert not np.allclose(noisy, data)
    assert_config_round_trip(layer, x, y, data)


def _train_value_and_gradient(layer, data, weights):
    """The layer's training output for `data` and the gradient of ``sum(output * weights)`` in one call."""
    x = K.placeholder(shape=data.shape, dtype="float64")
    y = layer(x, training=True)
    grad = K.gradients(K.sum(y * weights), [x])[0]
    return K.function([x], [y, grad])([data])


def test_gaussian_noise_adds_zero_mean_noise_of_the_given_stddev():
    data = np.random.default_rng(1).uniform(1.0, 2.0, (200, 100))
    weights = np.random.default_rng(2).uniform(0.5, 1.5, data.shape)
    value, grad = _train_value_and_gradient(GaussianNoise(0.5, dtype="float64"), data, weights)
    noise = value - data
    assert abs(noise.mean()) < 0.01 and noise.std() == pytest.approx(0.5, rel=0.02)
    np.testing.assert_allclose(grad, weights, rtol=1e-12)  # d(x + noise)/dx = 1


def test_gaussian_dropout_multiplies_by_one_centered_noise():
    rate = 0.3
    data = np.random.default_rng(3).uniform(1.0, 2.0, (200, 100))
    weights = np.random.default_rng(4).uniform(0.5, 1.5, data.shape)
    value, grad = _train_value_and_gradient(GaussianDropout(rate, dtype="float64"), data, weights)
    noise = value / data
    assert noise.mean() == pytest.approx(1.0, abs=0.01)
    assert noise.std() == pytest.approx(np.sqrt(rate / (1 - rate)), rel=0.02)
    np.testing.assert_allclose(grad, noise * weights, rtol=1e-10)  # d(x * noise)/dx = noise


def test_alpha_dropout_formula_rate_and_gradient():
    rate = 0.2
    a, b = alpha_dropout_affine(rate)
    data = np.random.default_rng(5).uniform(1.0, 2.0, (200, 100))
    weights = np.random.default_rng(6).uniform(0.5, 1.5, data.shape)
    value, grad = _train_value_and_gradient(AlphaDropout(rate, dtype="float64"), data, weights)
    dropped = np.isclose(value, a * ALPHA_P + b, rtol=1e-12)
    np.testing.assert_allclose(value[~dropped], a * data[~dropped] + b, rtol=1e-12)
    assert dropped.mean() == pytest.approx(rate, abs=0.01)
    np.testing.assert_allclose(grad, np.where(dropped, 0.0, a) * weights, rtol=1e-12)


def test_alpha_dropout_keeps_the_mean_and_variance_of_normalized_inputs():
    x = Input(shape=(2000,))
    y = AlphaDropout(0.3)(x, training=True)
    data = np.random.default_rng(7).normal(size=(50, 2000)).astype("float32")
    (value,) = evaluate([x], [y], [data])
    assert abs(value.mean()) < 0.01 and value.var() == pytest.approx(1.0, abs=0.02)


def test_alpha_dropout_noise_shape_and_seed():
    x = Input(shape=(6, 40))
    y = AlphaDropout(0.5, noise_shape=(None, 1, 40), seed=11)(x, training=True)
    same_seed = AlphaDropout(0.5, noise_shape=(None, 1, 40), seed=11)(x, training=True)
    ones = np.ones((3, 6, 40), "float32")
    value, other = evaluate([x], [y, same_seed], [ones])
    np.testing.assert_array_equal(value, np.broadcast_to(value[:, :1], value.shape))
    np.testing.assert_array_equal(value, other)
    with pytest.raises(ValueError, match=r"AlphaDropout layer ad_bad: noise_shape \(1, 40\) does not fit an input of "
                                         r"shape \(None, 6, 40\)"):
        AlphaDropout(0.5, noise_shape=(1, 40), name="ad_bad")(x, training=True)


@pytest.mark.parametrize("layer", [GaussianDropout(0.0), GaussianDropout(1.0), AlphaDropout(0.0)],
                         ids=["gaussian_dropout_0", "gaussian_dropout_1", "alpha_dropout_0"])
def test_rates_outside_the_open_interval_are_the_identity(layer):
    x = Input(shape=(4,))
    y = layer(x)
    assert not getattr(y, "_uses_learning_phase", False)
    data = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(evaluate([x], [y], [data])[0], data)


def test_keras1_argument_names():
    with pytest.warns(UserWarning, match="use `stddev=` instead of `sigma=`"):
        assert GaussianNoise(sigma=0.2).stddev == 0.2
    with pytest.warns(UserWarning, match="use `rate=` instead of `p=`"):
        assert GaussianDropout(p=0.3).rate == 0.3
