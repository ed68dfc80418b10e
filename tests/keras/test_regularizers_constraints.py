"""Regularizer penalties and constraint projections against numpy, and their serialization."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import constraints, regularizers
from tests.keras.helpers import evaluate

EPS = 1e-7
rng = np.random.default_rng(2)
W = rng.normal(size=(4, 3)).astype("float32")


@pytest.mark.parametrize("regularizer, l1, l2", [
    (regularizers.L1L2(l1=0.1, l2=0.2), 0.1, 0.2),
    (regularizers.l1(), 0.01, 0.0),
    (regularizers.l2(0.5), 0.0, 0.5),
    (regularizers.l1_l2(), 0.01, 0.01),
    (regularizers.l1_l2(l1=0.3, l2=0.0), 0.3, 0.0),
])
def test_l1_l2_penalty(regularizer, l1, l2):
    expected = l1 * np.abs(W).sum() + l2 * np.square(W).sum()
    np.testing.assert_allclose(evaluate(regularizer, W), expected, rtol=1e-5)
    assert regularizer.get_config() == pytest.approx({"l1": l1, "l2": l2})


def test_zero_regularizer_is_zero():
    assert regularizers.L1L2()(K.variable(W)) == 0.0
    assert regularizers.Regularizer()(K.variable(W)) == 0.0


@pytest.mark.parametrize("identifier, l1, l2", [
    ("l1", 0.01, 0.0), ("l2", 0.0, 0.01), ("l1_l2", 0.01, 0.01), ("L1L2", 0.0, 0.0),
    ({"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.25}}, 0.5, 0.25),
])
def test_regularizer_get(identifier, l1, l2):
    regularizer = regularizers.get(identifier)
    assert isinstance(regularizer, regularizers.L1L2)
    assert regularizer.get_config() == pytest.approx({"l1": l1, "l2": l2})


def test_regularizer_serialization_round_trip():
    regularizer = regularizers.l1_l2(l1=0.125, l2=0.5)
    config = regularizers.serialize(regularizer)
    assert config == {"class_name": "L1L2", "config": {"l1": 0.125, "l2": 0.5}}
    assert regularizers.deserialize(config).get_config() == config["config"]
    assert regularizers.get(None) is None
    assert regularizers.get(abs) is abs
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get(0.1)


# -- constraints -----------------------------------------------------------------------------------
def norms(w, axis):
    return np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True))


def max_norm_reference(w, max_value, axis):
    n = norms(w, axis)
    return w * np.clip(n, 0, max_value) / (EPS + n)


@pytest.mark.parametrize("axis", [0, 1])
def test_max_norm(axis):
    w = 3 * W
    np.testing.assert_allclose(evaluate(constraints.MaxNorm(2.0, axis=axis), w), max_norm_reference(w, 2.0, axis),
                               rtol=1e-5)
    assert np.all(norms(evaluate(constraints.max_norm(1.5, axis=axis), w), axis) <= 1.5 + 1e-5)


def test_max_norm_of_conv_filters():
    kernel = rng.normal(size=(3, 3, 2, 4)).astype("float32")
    got = evaluate(constraints.MaxNorm(1.0, axis=[0, 1, 2]), kernel)
    np.testing.assert_allclose(got, max_norm_reference(kernel, 1.0, (0, 1, 2)), rtol=1e-5)


def test_non_neg():
    np.testing.assert_array_equal(evaluate(constraints.NonNeg(), W), np.where(W >= 0, W, 0))


@pytest.mark.parametrize("axis", [0, 1])
def test_unit_norm(axis):
    got = evaluate(constraints.UnitNorm(axis=axis), W)
    np.testing.assert_allclose(got, W / (EPS + norms(W, axis)), rtol=1e-5)
    np.testing.assert_allclose(norms(got, axis), 1.0, rtol=1e-5)


@pytest.mark.parametrize("rate", [1.0, 0.5])
def test_min_max_norm(rate):
    w = np.concatenate([0.1 * W, 5 * W], axis=1)
    n = norms(w, 0)
    desired = rate * np.clip(n, 0.5, 2.0) + (1 - rate) * n
    got = evaluate(constraints.MinMaxNorm(min_value=0.5, max_value=2.0, rate=rate), w)
    np.testing.assert_allclose(got, w * desired / (EPS + n), rtol=1e-5)


def test_base_constraint_is_identity():
    np.testing.assert_array_equal(evaluate(constraints.Constraint(), W), W)


ALL_CONSTRAINTS = [
    constraints.MaxNorm(max_value=3, axis=1), constraints.NonNeg(), constraints.UnitNorm(axis=[0, 1]),
    constraints.MinMaxNorm(min_value=0.1, max_value=2.0, rate=0.5, axis=1),
]


@pytest.mark.parametrize("constraint", ALL_CONSTRAINTS, ids=lambda c: type(c).__name__)
def test_constraint_serialization_round_trip(constraint):
    config = constraints.serialize(constraint)
    assert config["class_name"] == type(constraint).__name__
    again = constraints.deserialize(config)
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()


@pytest.mark.parametrize("name, cls", [
    ("max_norm", constraints.MaxNorm), ("maxnorm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
    ("non_neg", constraints.NonNeg), ("nonneg", constraints.NonNeg), ("unit_norm", constraints.UnitNorm),
    ("unitnorm", constraints.UnitNorm), ("min_max_norm", constraints.MinMaxNorm),
])
def test_constraint_get(name, cls):
    assert type(constraints.get(name)) is cls


def test_constraint_defaults_and_get():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert constraints.get(None) is None
    assert constraints.get(abs) is abs
    with pytest.raises(ValueError, match="Unknown constraint: max"):
        constraints.get("max")
