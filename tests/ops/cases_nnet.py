"""Cases for the softmax ops, the fused crossentropy ops and Keras' crossentropy functions."""
import numpy as np
from scipy.special import log_softmax as np_log_softmax
from scipy.special import softmax as np_softmax

from symkeras.ops import nnet as N
from tests.ops.cases import Case, rng

r = rng(4)
EPS = N.EPSILON


def _logits(*shape, scale=2.0):
    return r.uniform(-scale, scale, shape)


def _probabilities(*shape, axis=-1):
    p = r.uniform(0.1, 1.0, shape)
    return p / p.sum(axis=axis, keepdims=True)


def _one_hot(labels, n, axis=-1):
    return np.ascontiguousarray(np.moveaxis(np.eye(n)[labels], -1, axis))


def _ref_categorical(target, output, axis=-1):
    output = np.clip(output / output.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -np.sum(target * np.log(output), axis=axis)


def _ref_softmax_ce(target, logits, axis=-1):
    return -np.sum(target * np_log_softmax(logits, axis=axis), axis=axis)


def _ref_sparse(labels, logits, axis=-1):
    picked = np.take_along_axis(np_log_softmax(logits, axis=axis), np.expand_dims(labels, axis), axis)
    return -np.squeeze(picked, axis)


def _ref_binary(target, output, from_logits=False):
    if not from_logits:
        p = np.clip(output, EPS, 1 - EPS)
        output = np.log(p / (1 - p))
    return np.maximum(output, 0) - output * target + np.log1p(np.exp(-np.abs(output)))


CASES = []

# -- Softmax / LogSoftmax ----------------------------------------------------------------------------
for name, fn, ref in (("softmax", N.softmax, np_softmax), ("log_softmax", N.log_softmax, np_log_softmax)):
    for shape, axis in (((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1), ((4,), 0), ((3, 1), -1), ((2, 3, 4), -1)):
        CASES.append(Case(f"{name}_{shape}_axis{axis}", lambda x, fn=fn, axis=axis: fn(x, axis=axis),
                          [_logits(*shape)], lambda x, ref=ref, axis=axis: ref(x, axis=axis)))
    CASES.append(Case(f"{name}_unknown", fn, [_logits(4, 3)], lambda x, ref=ref: ref(x, axis=-1),
                      input_shapes=[(None, None)]))
    CASES.append(Case(f"{name}_large_logits", fn, [_logits(3, 4) * 500], lambda x, ref=ref: ref(x, axis=-1)))
    CASES.append(Case(f"{name}_float32", fn, [_logits(3, 4).astype("float32")], lambda x, ref=ref: ref(x, axis=-1),
                      grad=False, rtol=1e-5, atol=1e-6))
    CASES.append(Case(f"{name}_empty_batch", fn, [_logits(0, 3)], lambda x, ref=ref: ref(x, axis=-1), grad=False))

# -- fused softmax crossentropy with logits (the gradient w.r.t. the target too) -------------------
for shape, axis in (((4, 5), -1), ((2, 3, 4), 1), ((5,), 0), ((3, 1), -1)):
    CASES.append(Case(
        f"softmax_ce_{shape}_axis{axis}", lambda t, x, axis=axis: N.SoftmaxCrossentropyWithLogits(axis % len(t.type.shape))(t, x),
        [_probabilities(*shape, axis=axis), _logits(*shape)], lambda t, x, axis=axis: _ref_softmax_ce(t, x, axis),
    ))
CASES.append(Case("softmax_ce_unnormalised_target", lambda t, x: N.SoftmaxCrossentropyWithLogits(1)(t, x),
                  [r.uniform(0, 2, (3, 4)), _logits(3, 4)], _ref_softmax_ce))
CASES.append(Case("softmax_ce_unknown", lambda t, x: N.SoftmaxCrossentropyWithLogits(1)(t, x),
                  [_probabilities(4, 3), _logits(4, 3)], _ref_softmax_ce, input_shapes=[(None, 3), (None, None)]))
CASES.append(Case("softmax_ce_huge_logits", lambda t, x: N.SoftmaxCrossentropyWithLogits(1)(t, x),
                  [_one_hot(np.array([0, 1, 2]), 3), np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0], [-1000.0, 0.0, 1000.0]])],
                  _ref_softmax_ce))

# -- fused sparse softmax crossentropy -------------------------------------------------------------
CASES.append(Case("sparse_ce_2d", lambda y, x: N.SparseSoftmaxCrossentropyWithLogits(1)(y, x),
                  [r.integers(0, 5, (4,)), _logits(4, 5)], _ref_sparse))
CASES.append(Case("sparse_ce_3d_axis1", lambda y, x: N.SparseSoftmaxCrossentropyWithLogits(1)(y, x),
                  [r.integers(0, 3, (2, 4)), _logits(2, 3, 4)], lambda y, x: _ref_sparse(y, x, 1)))
CASES.append(Case("sparse_ce_int32_unknown", lambda y, x: N.SparseSoftmaxCrossentropyWithLogits(1)(y, x),
                  [r.integers(0, 5, (6,)).astype("int32"), _logits(6, 5)], _ref_sparse,
                  input_shapes=[(None,), (None, 5)]))
CASES.append(Case("sparse_ce_unknown_classes", lambda y, x: N.SparseSoftmaxCrossentropyWithLogits(1)(y, x),
                  [r.integers(0, 4, (3,)), _logits(3, 4)], _ref_sparse, input_shapes=[(None,), (None, None)]))
CASES.append(Case("sparse_ce_empty_batch", lambda y, x: N.SparseSoftmaxCrossentropyWithLogits(1)(y, x),
                  [np.zeros((0,), "int64"), _logits(0, 4)], _ref_sparse, grad=False))

# -- Keras' crossentropy functions ---------------------------------------------------------------
for axis in (-1, 1):
    CASES.append(Case(
        f"categorical_crossentropy_probs_axis{axis}", lambda t, p, axis=axis: N.categorical_crossentropy(t, p, axis=axis),
        [_one_hot(r.integers(0, 4, (2, 3)), 4, axis), r.uniform(0.1, 1.0, (2, 4, 3) if axis == 1 else (2, 3, 4))],
        lambda t, p, axis=axis: _ref_categorical(t, p, axis),
    ))
    CASES.append(Case(
        f"categorical_crossentropy_logits_axis{axis}",
        lambda t, x, axis=axis: N.categorical_crossentropy(t, x, from_logits=True, axis=axis),
        [_probabilities(3, 4, axis=axis), _logits(3, 4)], lambda t, x, axis=axis: _ref_softmax_ce(t, x, axis),
    ))
CASES.append(Case("categorical_crossentropy_clipped", N.categorical_crossentropy,
                  [_one_hot(np.array([0, 1]), 3), np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])], _ref_categorical,
                  grad=False))
CASES.append(Case("categorical_crossentropy_int_target", N.categorical_crossentropy,
                  [_one_hot(np.array([2, 0]), 3).astype("int64"), _probabilities(2, 3)],
                  lambda t, p: _ref_categorical(t.astype("float64"), p), grad=False))
CASES.append(Case("sparse_categorical_crossentropy_logits", lambda y, x: N.sparse_categorical_crossentropy(y, x, True),
                  [r.integers(0, 4, (5,)), _logits(5, 4)], _ref_sparse))
CASES.append(Case("sparse_categorical_crossentropy_column_float_labels",
                  lambda y, x: N.sparse_categorical_crossentropy(y, x, from_logits=True),
                  [r.integers(0, 4, (5, 1)).astype("float32"), _logits(5, 4)],
                  lambda y, x: _ref_sparse(y[:, 0].astype("int64"), x), input_shapes=[(None, None), (None, 4)],
                  grad=False))
CASES.append(Case("sparse_categorical_crossentropy_column_labels", lambda y, x: N.sparse_categorical_crossentropy(y, x, True),
                  [r.integers(0, 4, (5, 1)), _logits(5, 4)], lambda y, x: _ref_sparse(y[:, 0], x)))
CASES.append(Case("sparse_categorical_crossentropy_probs", N.sparse_categorical_crossentropy,
                  [r.integers(0, 4, (5,)), _probabilities(5, 4)],
                  lambda y, p: _ref_sparse(y, np.log(np.clip(p, EPS, 1 - EPS)))))
CASES.append(Case("sparse_categorical_crossentropy_sequence", N.sparse_categorical_crossentropy,
                  [r.integers(0, 3, (2, 4, 1)), _probabilities(2, 4, 3)],
                  lambda y, p: _ref_sparse(y[..., 0], np.log(np.clip(p, EPS, 1 - EPS)))))
CASES.append(Case("binary_crossentropy_probs", N.binary_crossentropy,
                  [(r.random((3, 4)) < 0.5).astype("float64"), r.uniform(0.05, 0.95, (3, 4))], _ref_binary))
CASES.append(Case("binary_crossentropy_soft_targets", N.binary_crossentropy,
                  [r.uniform(0, 1, (4,)), r.uniform(0.05, 0.95, (4,))], _ref_binary))
CASES.append(Case("binary_crossentropy_logits", lambda t, x: N.binary_crossentropy(t, x, from_logits=True),
                  [r.uniform(0, 1, (3, 4)), _logits(3, 4, scale=5)], lambda t, x: _ref_binary(t, x, True)))
CASES.append(Case("binary_crossentropy_logits_at_zero", lambda t, x: N.binary_crossentropy(t, x, from_logits=True),
                  [np.array([0.0, 1.0, 0.3]), np.zeros(3)], lambda t, x: _ref_binary(t, x, True)))
CASES.append(Case("binary_crossentropy_clipped", N.binary_crossentropy,
                  [np.array([0.0, 1.0, 1.0]), np.array([0.0, 1.0, 0.0])], _ref_binary, grad=False, rtol=1e-4))
CASES.append(Case("binary_crossentropy_huge_logits", lambda t, x: N.binary_crossentropy(t, x, from_logits=True),
                  [np.array([1.0, 0.0, 1.0, 0.0]), np.array([1000.0, -1000.0, -1000.0, 1000.0])],
                  lambda t, x: _ref_binary(t, x, True)))
