"""Activations, crossentropies, dropout, normalization, bias_add and in_top_k against numpy."""
import numpy as np
import pytest
from scipy.special import softmax as np_softmax

from symkeras import backend as K
from tests.backend.helpers import randn, run

X = randn(4, 5) * 3


@pytest.mark.parametrize("alpha, max_value, threshold", [(0.0, None, 0.0), (0.1, None, 0.0), (0.0, 2.0, 0.0),
                                                         (0.2, 3.0, 0.5)])
def test_relu(alpha, max_value, threshold):
    expected = np.where(X >= threshold, X, alpha * (X - threshold))
    if max_value is not None:
        expected = np.minimum(expected, max_value)
    np.testing.assert_allclose(run(lambda x: K.relu(x, alpha, max_value, threshold), X), expected, rtol=1e-6)


def test_elu_softmax():
    np.testing.assert_allclose(run(lambda x: K.elu(x, 0.5), X), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-5)
    np.testing.assert_allclose(run(K.softmax, X), np_softmax(X, axis=-1), rtol=1e-5)
    np.testing.assert_allclose(run(lambda x: K.softmax(x, axis=0), X), np_softmax(X, axis=0), rtol=1e-5)


def test_categorical_crossentropy():
    target = np.eye(5, dtype="float32")[[0, 3, 1, 4]]
    probs = np_softmax(X, axis=-1)
    unnormalised = probs * 3
    expected = -np.sum(target * np.log(np.clip(probs, 1e-7, 1 - 1e-7)), axis=-1)
    np.testing.assert_allclose(run(K.categorical_crossentropy, target, unnormalised), expected, rtol=1e-5)
    np.testing.assert_allclose(run(lambda t, o: K.categorical_crossentropy(t, o, from_logits=True), target, X),
                               expected, rtol=1e-4)
    np.testing.assert_allclose(run(lambda t, o: K.categorical_crossentropy(t, o, axis=0), target.T, probs.T),
                               expected, rtol=1e-5)


def test_sparse_categorical_crossentropy():
    labels = np.array([0, 3, 1, 4])
    probs = np_softmax(X, axis=-1)
    expected = -np.log(np.clip(probs[np.arange(4), labels], 1e-7, 1 - 1e-7))
    np.testing.assert_allclose(run(K.sparse_categorical_crossentropy, labels, probs), expected, rtol=1e-5)
    np.testing.assert_allclose(run(K.sparse_categorical_crossentropy, labels[:, None].astype("float32"), probs),
                               expected, rtol=1e-5)
    np.testing.assert_allclose(run(lambda t, o: K.sparse_categorical_crossentropy(t, o, from_logits=True), labels, X),
                               expected, rtol=1e-4)


def test_binary_crossentropy_uses_epsilon():
    target = (randn(4, 5, seed=2) > 0).astype("float32")
    p = np.concatenate([np.zeros((4, 1)), np.ones((4, 1)), 1 / (1 + np.exp(-X[:, 2:]))], axis=1).astype("float32")
    clipped = np.clip(p, 1e-7, 1 - 1e-7)
    expected = -(target * np.log(clipped) + (1 - target) * np.log(1 - clipped))
    np.testing.assert_allclose(run(K.binary_crossentropy, target, p), expected, rtol=1e-3, atol=1e-6)
    logits_expected = np.logaddexp(0, X) - X * target
    np.testing.assert_allclose(run(lambda t, o: K.binary_crossentropy(t, o, from_logits=True), target, X),
                               logits_expected, rtol=1e-5)


def test_dropout_scales_kept_units_and_drops_about_level():
    x = np.ones((200, 50), "float32")
    out = run(lambda a: K.dropout(a, 0.3), x)
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((out == 0).mean() - 0.3) < 0.03
    shared = run(lambda a: K.dropout(a, 0.5, noise_shape=(None, 1)), x)
    assert all(len(np.unique(row)) == 1 for row in shared)
    with pytest.raises(ValueError, match="K.dropout"):
        K.dropout(K.placeholder(shape=(2,)), 1.0)


def test_l2_normalize():
    np.testing.assert_allclose(run(lambda x: K.l2_normalize(x, axis=-1), X),
                               X / np.linalg.norm(X, axis=-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(run(K.l2_normalize, X), X / np.linalg.norm(X), rtol=1e-5)
    np.testing.assert_array_equal(run(K.l2_normalize, np.zeros((2, 2), "float32")), np.zeros((2, 2)))


def test_in_top_k():
    preds = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.7, 0.2, 0.1]], "float32")
    targets = np.array([2, 0, 2])
    np.testing.assert_array_equal(run(lambda p, t: K.in_top_k(p, t, 1), preds, targets), [False, False, False])
    np.testing.assert_array_equal(run(lambda p, t: K.in_top_k(p, t, 2), preds, targets), [True, True, False])
    np.testing.assert_array_equal(run(lambda p, t: K.in_top_k(p, t, 3), preds, targets), [True, True, True])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_bias_add(data_format, shape):
    x = randn(*shape)
    channel_axis = -1 if data_format == "channels_last" or len(shape) == 2 else 1
    bias = randn(shape[channel_axis], seed=1)
    expected = x + (bias if channel_axis == -1 else bias.reshape((1, -1) + (1,) * (len(shape) - 2)))
    np.testing.assert_allclose(run(lambda a, b: K.bias_add(a, b, data_format), x, bias), expected, rtol=1e-6)
    if len(shape) > 2:
        full = randn(*shape[1:], seed=3)
        channels_last_full = full if channel_axis == -1 else np.moveaxis(full, 0, -1)
        expected = x + (channels_last_full if channel_axis == -1 else np.moveaxis(channels_last_full, -1, 0))
        np.testing.assert_allclose(run(lambda a, b: K.bias_add(a, b, data_format), x, channels_last_full),
                                   expected, rtol=1e-6)
    with pytest.raises(ValueError, match="K.bias_add: unexpected bias dimensions"):
        K.bias_add(K.placeholder(shape=shape), K.placeholder(shape=(2, 2, 2, 2)))


def test_batch_normalization_with_vectors_along_an_axis():
    x = randn(4, 3, 5)
    mean, var, beta, gamma = (np.abs(randn(3, seed=s)) for s in range(1, 5))
    shaped = [p.reshape(1, 3, 1) for p in (mean, var, beta, gamma)]
    expected = (x - shaped[0]) / np.sqrt(shaped[1] + 1e-3) * shaped[3] + shaped[2]
    out = run(lambda *a: K.batch_normalization(*a, axis=1), x, mean, var, beta, gamma)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    out = run(lambda *a: K.batch_normalization(*a, axis=1), x, *shaped)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    out = run(lambda a, m, v: K.batch_normalization(a, m, v, None, None, axis=1, epsilon=0.1), x, mean, var)
    np.testing.assert_allclose(out, (x - shaped[0]) / np.sqrt(shaped[1] + 0.1), rtol=1e-5, atol=1e-6)


def test_normalize_batch_in_training():
    x = randn(6, 3, 2)
    gamma, beta = randn(2, seed=1), randn(2, seed=2)
    normed, mean, var = run(lambda a, g, b: K.normalize_batch_in_training(a, g, b, [0, 1]), x, gamma, beta)
    m, v = x.mean(axis=(0, 1)), x.var(axis=(0, 1))
    np.testing.assert_allclose(mean, m, rtol=1e-5)
    np.testing.assert_allclose(var, v, rtol=1e-5)
    np.testing.assert_allclose(normed, (x - m) / np.sqrt(v + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-5)
    normed, _, _ = run(lambda a: K.normalize_batch_in_training(a, None, None, [0, 2], epsilon=0.0), x)
    np.testing.assert_allclose(normed.mean(axis=(0, 2)), 0, atol=1e-5)
