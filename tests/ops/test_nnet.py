"""Stability, errors and Keras semantics of the softmax and crossentropy ops (values in cases_nnet.py)."""
import numpy as np
import pytest
from scipy.special import expit, softmax as np_softmax

from symkeras.graph import function, grad, matrix, tensor, vector
from symkeras.ops import nnet as N
from symkeras.ops import reduction as R

HUGE = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0], [1000.0, 1000.0, -1000.0]])
ONE_HOT = np.eye(3)[[0, 2, 1]]


def _loss_and_grad(loss_fn, target, logits):
    t, x = tensor(target.dtype, target.shape), tensor(logits.dtype, logits.shape)
    loss = loss_fn(t, x)
    return function([t, x], [loss, grad(R.sum(loss), x)], mode="py")(target, logits)


def test_fused_crossentropy_with_huge_logits_is_finite():
    loss, g = _loss_and_grad(lambda t, x: N.categorical_crossentropy(t, x, from_logits=True), ONE_HOT, HUGE)
    assert np.isfinite(loss).all() and np.isfinite(g).all()
    np.testing.assert_allclose(loss, [0.0, 1000.0, 0.0 + np.log(2)], atol=1e-9)
    np.testing.assert_allclose(g, np_softmax(HUGE, axis=1) - ONE_HOT, atol=1e-12)


def test_sparse_fused_crossentropy_with_huge_logits_is_finite():
    labels = np.array([0, 2, 1])
    loss, g = _loss_and_grad(lambda t, x: N.sparse_categorical_crossentropy(t, x, from_logits=True), labels, HUGE)
    np.testing.assert_allclose(loss, [0.0, 1000.0, np.log(2)], atol=1e-9)
    np.testing.assert_allclose(g, np_softmax(HUGE, axis=1) - ONE_HOT, atol=1e-12)


def test_binary_crossentropy_with_huge_logits_is_finite():
    z, x = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1000.0, -1000.0, -1000.0, 1000.0])
    loss, g = _loss_and_grad(lambda t, v: N.binary_crossentropy(t, v, from_logits=True), z, x)
    np.testing.assert_allclose(loss, [0.0, 0.0, 1000.0, 1000.0])
    np.testing.assert_allclose(g, expit(x) - z)


def test_binary_crossentropy_gradient_at_zero_logit():
    z = np.array([0.0, 1.0, 0.25])
    _, g = _loss_and_grad(lambda t, v: N.binary_crossentropy(t, v, from_logits=True), z, np.zeros(3))
    np.testing.assert_allclose(g, 0.5 - z)


def test_softmax_of_huge_logits():
    x = matrix(dtype="float64")
    sm, lsm = function([x], [N.softmax(x), N.log_softmax(x)], mode="py")(HUGE)
    np.testing.assert_allclose(sm.sum(axis=1), 1.0)
    assert np.isfinite(lsm).all()


def test_categorical_crossentropy_normalises_probabilities():
    t, p = matrix(dtype="float64"), matrix(dtype="float64")
    f = function([t, p], N.categorical_crossentropy(t, p), mode="py")
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    np.testing.assert_allclose(f(ONE_HOT[:2], probs * 4), f(ONE_HOT[:2], probs))
    np.testing.assert_allclose(f(ONE_HOT[:2], probs), -np.log([0.2, 0.1]))


def test_sparse_matches_dense_crossentropy():
    labels = np.array([1, 0, 2, 2])
    logits = np.random.default_rng(0).normal(size=(4, 3))
    dense, _ = _loss_and_grad(lambda t, x: N.categorical_crossentropy(t, x, from_logits=True), np.eye(3)[labels], logits)
    sparse, _ = _loss_and_grad(lambda t, x: N.sparse_categorical_crossentropy(t, x, from_logits=True), labels, logits)
    np.testing.assert_allclose(sparse, dense)


# -- errors ---------------------------------------------------------------------------------------
def test_softmax_needs_floats():
    with pytest.raises(TypeError, match=r"Softmax\{1\}: the input must be a float tensor, got int32"):
        N.softmax(matrix(dtype="int32"))


def test_softmax_axis_out_of_range():
    with pytest.raises(ValueError, match=r"softmax: axis 2 is out of range for a tensor of shape \(None, 3\)"):
        N.softmax(matrix(shape=(None, 3)), axis=2)


def test_crossentropy_shape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"SoftmaxCrossentropyWithLogits\{1\}: the target of shape \(None, 10\) does not "
                                         r"match the logits of shape \(None, 5\)"):
        N.categorical_crossentropy(matrix(shape=(None, 10)), matrix(shape=(None, 5)), from_logits=True)


def test_sparse_labels_must_be_integers():
    with pytest.raises(TypeError, match="the labels must be integers, got float32"):
        N.SparseSoftmaxCrossentropyWithLogits(1)(vector(), matrix())


def test_sparse_labels_shape_mismatch():
    with pytest.raises(ValueError, match=r"the labels of shape \(4,\) does not match the logits without their class "
                                         r"axis of shape \(5,\)"):
        N.SparseSoftmaxCrossentropyWithLogits(1)(vector(dtype="int64", shape=(4,)), matrix(shape=(5, 3)))


def test_sparse_target_with_wide_class_axis():
    with pytest.raises(ValueError, match=r"the target of shape \(None, 3\) needs size 1 along axis 1"):
        N.sparse_categorical_crossentropy(matrix(shape=(None, 3)), matrix(shape=(None, 4)))


def test_sparse_label_out_of_range_at_run_time():
    y, x = vector(dtype="int64"), matrix(dtype="float64")
    f = function([y, x], N.sparse_categorical_crossentropy(y, x, from_logits=True), mode="py")
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\), got values from 0 to 3"):
        f(np.array([0, 3]), np.zeros((2, 3)))


def test_types_and_shapes():
    logits = tensor("float32", (None, 7, 5))
    assert N.softmax(logits, axis=1).type == logits.type
    loss = N.categorical_crossentropy(tensor("float32", (None, 7, 5)), logits)
    assert (loss.dtype, loss.type.shape) == ("float32", (None, 7))
    sparse = N.sparse_categorical_crossentropy(tensor("float32", (None, None, 1)), logits)
    assert (sparse.dtype, sparse.type.shape) == ("float32", (None, 7))
    assert N.binary_crossentropy(matrix(), matrix(dtype="float32")).dtype == "float32"
