"""Each loss and metric against a numpy transcription of Keras 2.2.4's definition."""
import numpy as np
import pytest

from symkeras import losses, metrics, objectives
from symkeras.utils import custom_object_scope
from tests.keras.helpers import evaluate, random_probabilities

EPS = 1e-7
rng = np.random.default_rng(1)


def clip(x, low, high=None):
    return np.clip(x, low, np.inf if high is None else high)


# y_true, y_pred -> per-sample loss, computed in float64
LOSS_REFERENCES = {
    "mean_squared_error": lambda t, p: np.mean((p - t) ** 2, -1),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(p - t), -1),
    "mean_absolute_percentage_error": lambda t, p: 100 * np.mean(np.abs((t - p) / clip(np.abs(t), EPS)), -1),
    "mean_squared_logarithmic_error": lambda t, p: np.mean(
        (np.log(clip(p, EPS) + 1) - np.log(clip(t, EPS) + 1)) ** 2, -1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(1 - t * p, 0) ** 2, -1),
    "hinge": lambda t, p: np.mean(np.maximum(1 - t * p, 0), -1),
    "categorical_hinge": lambda t, p: np.maximum(0, np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1),
    "logcosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    "categorical_crossentropy": lambda t, p: -np.sum(
        t * np.log(clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1),
    "binary_crossentropy": lambda t, p: np.mean(
        -(t * np.log(clip(p, EPS, 1 - EPS)) + (1 - t) * np.log(1 - clip(p, EPS, 1 - EPS))), -1),
    "kullback_leibler_divergence": lambda t, p: np.sum(clip(t, EPS, 1) * np.log(clip(t, EPS, 1) / clip(p, EPS, 1)), -1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), -1),
    "cosine_proximity": lambda t, p: -np.sum(
        t / np.linalg.norm(t, axis=-1, keepdims=True) * p / np.linalg.norm(p, axis=-1, keepdims=True), -1),
}


def loss_inputs(name, shape):
    """(y_true, y_pred) float32 in the domain each loss is meant for."""
    if name in ("categorical_crossentropy", "kullback_leibler_divergence", "categorical_hinge"):
        one_hot = np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], shape[:-1])]
        return one_hot, random_probabilities(rng, shape)
    if name in ("squared_hinge", "hinge"):
        return rng.choice([-1.0, 1.0], shape).astype("float32"), rng.normal(size=shape).astype("float32")
    if name == "binary_crossentropy":
        return rng.integers(0, 2, shape).astype("float32"), rng.uniform(0, 1, shape).astype("float32")
    if name in ("poisson", "mean_squared_logarithmic_error"):
        return rng.poisson(2.0, shape).astype("float32"), rng.uniform(0.1, 4, shape).astype("float32")
    y_true = rng.normal(size=shape).astype("float32")
    if name == "mean_absolute_percentage_error":
        y_true[..., 0] = 0.0  # exercises the clip of the denominator
    return y_true, rng.normal(size=shape).astype("float32")


@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 4)])
@pytest.mark.parametrize("name", sorted(LOSS_REFERENCES))
def test_loss_matches_reference(name, shape):
    y_true, y_pred = loss_inputs(name, shape)
    got = evaluate(losses.get(name), y_true, y_pred)
    expected = LOSS_REFERENCES[name](y_true.astype("float64"), y_pred.astype("float64"))
    assert got.shape == shape[:-1]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_categorical_crossentropy_of_extreme_probabilities_is_clipped():
    y_true = np.array([[1, 0], [0, 1]], "float32")
    y_pred = np.array([[0.0, 1.0], [0.0, 1.0]], "float32")
    got = evaluate(losses.categorical_crossentropy, y_true, y_pred)
    np.testing.assert_allclose(got, [-np.log(np.float32(EPS)), 0.0], rtol=1e-4, atol=1e-6)


def test_logcosh_is_finite_for_large_errors():
    y_true = np.zeros((1, 2), "float32")
    y_pred = np.array([[1000.0, -1000.0]], "float32")
    np.testing.assert_allclose(evaluate(losses.logcosh, y_true, y_pred), [1000.0 - np.log(2.0)], rtol=1e-6)


@pytest.mark.parametrize("label_shape", [(6,), (6, 1)])
def test_sparse_categorical_crossentropy(label_shape):
    labels = rng.integers(0, 4, label_shape[0])
    y_pred = random_probabilities(rng, (6, 4))
    got = evaluate(losses.sparse_categorical_crossentropy, labels.reshape(label_shape).astype("float32"), y_pred)
    np.testing.assert_allclose(got, -np.log(y_pred[np.arange(6), labels]), rtol=1e-5)


def test_sparse_categorical_crossentropy_of_sequences():
    labels = rng.integers(0, 4, (2, 3))
    y_pred = random_probabilities(rng, (2, 3, 4))
    got = evaluate(losses.sparse_categorical_crossentropy, labels[..., None].astype("float32"), y_pred)
    expected = -np.log(np.take_along_axis(y_pred, labels[..., None], -1)[..., 0])
    np.testing.assert_allclose(got, expected, rtol=1e-5)


ALIASES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error", "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error", "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
    "kld": "kullback_leibler_divergence", "KLD": "kullback_leibler_divergence", "cosine": "cosine_proximity",
}


@pytest.mark.parametrize("module", [losses, metrics, objectives], ids=lambda m: m.__name__)
def test_aliases(module):
    for alias, name in ALIASES.items():
        assert getattr(module, alias) is getattr(losses, name)
        assert module.get(alias) is getattr(losses, name)


@pytest.mark.parametrize("name", sorted(LOSS_REFERENCES) + ["sparse_categorical_crossentropy"])
def test_loss_serialization_round_trip(name):
    fn = losses.get(name)
    assert losses.serialize(fn) == name
    assert losses.deserialize(name) is fn
    assert metrics.get(name) is fn, "every loss is a metric"


def test_loss_get():
    assert losses.get(None) is None

    def custom(y_true, y_pred):
        return y_pred

    assert losses.get(custom) is custom
    assert losses.serialize(custom) == "custom"
    assert losses.deserialize("custom", custom_objects={"custom": custom}) is custom
    with custom_object_scope({"custom": custom}):
        assert losses.get("custom") is custom
    with pytest.raises(ValueError, match="Unknown loss function: custom"):
        losses.get("custom")
    with pytest.raises(ValueError, match="Could not interpret loss function identifier"):
        losses.get(3)


# -- metrics ---------------------------------------------------------------------------------------
def test_binary_accuracy():
    y_true = np.array([[1, 0, 1], [0, 0, 1]], "float32")
    y_pred = np.array([[0.9, 0.2, 0.4], [0.1, 0.7, 0.51]], "float32")
    np.testing.assert_allclose(evaluate(metrics.binary_accuracy, y_true, y_pred), [2 / 3, 2 / 3], rtol=1e-6)


def test_categorical_accuracy():
    y_true = np.eye(4, dtype="float32")[[0, 1, 2, 3, 0]]
    y_pred = random_probabilities(rng, (5, 4))
    expected = (np.argmax(y_pred, -1) == [0, 1, 2, 3, 0]).astype("float32")
    np.testing.assert_array_equal(evaluate(metrics.categorical_accuracy, y_true, y_pred), expected)


@pytest.mark.parametrize("label_shape", [(8,), (8, 1)])
def test_sparse_categorical_accuracy(label_shape):
    labels = rng.integers(0, 3, 8)
    y_pred = random_probabilities(rng, (8, 3))
    got = evaluate(metrics.sparse_categorical_accuracy, labels.reshape(label_shape).astype("float32"), y_pred)
    np.testing.assert_array_equal(got, (np.argmax(y_pred, -1) == labels).astype("float32"))


def test_sparse_categorical_accuracy_of_sequences():
    labels = rng.integers(0, 3, (2, 5))
    y_pred = random_probabilities(rng, (2, 5, 3))
    got = evaluate(metrics.sparse_categorical_accuracy, labels[..., None].astype("float32"), y_pred)
    np.testing.assert_array_equal(got, (np.argmax(y_pred, -1) == labels).astype("float32"))


def top_k_reference(labels, y_pred, k):
    # in_top_k: the target's score is among the k largest (ties count as in)
    target_scores = y_pred[np.arange(len(labels)), labels]
    return ((y_pred > target_scores[:, None]).sum(-1) < k).astype("float32")


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_top_k_categorical_accuracy(k):
    labels = rng.integers(0, 6, 10)
    y_pred = random_probabilities(rng, (10, 6))
    expected = top_k_reference(labels, y_pred, k)
    one_hot = np.eye(6, dtype="float32")[labels]
    np.testing.assert_array_equal(evaluate(lambda t, p: metrics.top_k_categorical_accuracy(t, p, k=k), one_hot, y_pred),
                                  expected)
    sparse = labels[:, None].astype("float32")
    np.testing.assert_array_equal(
        evaluate(lambda t, p: metrics.sparse_top_k_categorical_accuracy(t, p, k=k), sparse, y_pred), expected)


def test_top_k_default_is_5():
    labels = np.arange(7) % 7
    y_pred = np.tile(np.arange(7, dtype="float32"), (7, 1))
    one_hot = np.eye(7, dtype="float32")[labels]
    np.testing.assert_array_equal(evaluate(metrics.top_k_categorical_accuracy, one_hot, y_pred),
                                  [0, 0, 1, 1, 1, 1, 1])


@pytest.mark.parametrize("name", ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                                  "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"])
def test_metric_serialization_round_trip(name):
    fn = metrics.get(name)
    assert fn is getattr(metrics, name)
    assert metrics.serialize(fn) == name
    assert metrics.deserialize(name) is fn


def test_metric_get():
    def custom(y_true, y_pred):
        return y_pred

    assert metrics.get(custom) is custom
    assert metrics.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="Unknown metric function"):
        metrics.get("accuracy")  # resolved by Model.compile, not here
    with pytest.raises(ValueError, match="Could not interpret metric function identifier"):
        metrics.get(None)
