"""Activations against numpy, and their serialization."""
import warnings

import numpy as np
import pytest

from symkeras import activations
from tests.keras.helpers import evaluate

X = np.array([[-30.0, -3.0, -1.0, -0.5, 0.0], [0.25, 0.5, 1.0, 2.6, 30.0]], "float32")
ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def softmax_reference(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def elu_reference(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x))


REFERENCES = {
    "softmax": softmax_reference,
    "elu": elu_reference,
    "selu": lambda x: SCALE * elu_reference(x, ALPHA),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu": lambda x: np.maximum(x, 0),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "exponential": np.exp,
    "linear": lambda x: x,
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_reference(name):
    got = evaluate(activations.get(name), X)
    np.testing.assert_allclose(got, REFERENCES[name](X.astype("float64")), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_softmax_axis(axis):
    x = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
    got = evaluate(lambda t: activations.softmax(t, axis=axis), x)
    np.testing.assert_allclose(got, softmax_reference(x, axis), rtol=1e-5)


def test_softmax_of_1d_raises():
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        evaluate(activations.softmax, np.zeros(3, "float32"))


def test_elu_alpha():
    np.testing.assert_allclose(evaluate(lambda t: activations.elu(t, alpha=0.5), X), elu_reference(X, 0.5), rtol=1e-5)


@pytest.mark.parametrize("kwargs", [{"alpha": 0.1}, {"max_value": 1.0}, {"threshold": 0.5},
                                    {"alpha": 0.2, "max_value": 2.0, "threshold": -1.0}])
def test_relu_arguments(kwargs):
    # Keras 2.2.4's K.relu: x above the threshold (else 0), clipped to [0, max_value], minus alpha * relu(threshold - x)
    alpha, max_value, threshold = kwargs.get("alpha", 0.0), kwargs.get("max_value"), kwargs.get("threshold", 0.0)
    expected = np.where(X > threshold, X, 0)
    if max_value is not None:
        expected = np.clip(expected, 0, max_value)
    expected = expected - alpha * np.maximum(threshold - X, 0)
    np.testing.assert_allclose(evaluate(lambda t: activations.relu(t, **kwargs), X), expected, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_serialization_round_trip(name):
    fn = getattr(activations, name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(name) is fn
    assert activations.get(name) is fn


def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get(np.tanh) is np.tanh
    assert activations.deserialize("swish", custom_objects={"swish": np.tanh}) is np.tanh
    with pytest.raises(ValueError, match="Unknown activation function: swish"):
        activations.get("swish")
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get(1)


def test_get_warns_for_layer_instances():
    layers = pytest.importorskip("symkeras.layers")
    layer = layers.Activation("relu")
    with pytest.warns(UserWarning, match="Do not pass a layer instance"):
        assert activations.get(layer) is layer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        activations.get(np.tanh)
