"""Elementwise math, comparisons, reductions, products and switch against numpy."""
import numpy as np
import pytest
from scipy.special import expit, logsumexp

from symkeras import backend as K
from tests.backend.helpers import randn, run

X = randn(3, 4)

UNARY = [
    (K.abs, np.abs), (K.exp, np.exp), (K.log, lambda x: np.log(np.abs(x))), (K.round, np.round),
    (K.sign, np.sign), (K.sin, np.sin), (K.cos, np.cos), (K.square, np.square), (K.tanh, np.tanh),
    (K.sigmoid, expit), (K.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    (K.softplus, lambda x: np.log1p(np.exp(x))), (K.softsign, lambda x: x / (1 + np.abs(x))),
    (K.sqrt, lambda x: np.sqrt(np.maximum(x, 0))),
]


@pytest.mark.parametrize("fn, reference", UNARY, ids=[f.__name__ for f, _ in UNARY])
def test_unary(fn, reference):
    x = np.abs(X) if fn is K.log else X * 3
    out = run(fn, x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference(x), rtol=1e-5, atol=1e-6)


BINARY = [
    (K.maximum, np.maximum), (K.minimum, np.minimum), (K.equal, np.equal), (K.not_equal, np.not_equal),
    (K.greater, np.greater), (K.greater_equal, np.greater_equal), (K.less, np.less), (K.less_equal, np.less_equal),
]


@pytest.mark.parametrize("fn, reference", BINARY, ids=[f.__name__ for f, _ in BINARY])
def test_binary(fn, reference):
    x, y = np.round(X), np.round(randn(3, 4, seed=1))
    np.testing.assert_array_equal(run(fn, x, y), reference(x, y))


def test_elementwise_functions_have_keras_docstrings():
    for fn, _ in UNARY + BINARY:
        assert "# Arguments" in fn.__doc__ and "# Returns" in fn.__doc__


def test_pow_cast_clip():
    np.testing.assert_allclose(run(lambda x: K.pow(x, 3), X), X ** 3, rtol=1e-5)
    out = run(lambda x: K.cast(x, "int32"), X * 10)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, (X * 10).astype("int32"))
    np.testing.assert_allclose(run(lambda x: K.clip(x, -0.5, 0.5), X), np.clip(X, -0.5, 0.5))
    np.testing.assert_allclose(run(lambda x: K.clip(x, 0.5, 0.1), X), np.full_like(X, 0.5))
    np.testing.assert_allclose(run(lambda x: K.clip(x, None, 0.0), X), np.minimum(X, 0))


REDUCTIONS = [
    (K.sum, np.sum), (K.prod, np.prod), (K.max, np.max), (K.min, np.min), (K.mean, np.mean),
    (K.std, np.std), (K.var, np.var), (K.logsumexp, logsumexp),
]


@pytest.mark.parametrize("fn, reference", REDUCTIONS, ids=[f.__name__ for f, _ in REDUCTIONS])
@pytest.mark.parametrize("axis", [None, 0, -1, [0, 1]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction(fn, reference, axis, keepdims):
    out = run(lambda x: fn(x, axis=axis, keepdims=keepdims), X)
    expected = reference(X, axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keepdims)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_any_all_and_mean_of_bools():
    b = X > 0
    np.testing.assert_array_equal(run(lambda x: K.any(x, axis=1), b), b.any(axis=1))
    np.testing.assert_array_equal(run(lambda x: K.all(x, axis=0, keepdims=True), b), b.all(axis=0, keepdims=True))
    out = run(lambda x: K.mean(x, axis=-1), b)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, b.mean(axis=-1))


def test_arg_and_cumulative_reductions():
    np.testing.assert_array_equal(run(K.argmax, X), X.argmax(-1))
    np.testing.assert_array_equal(run(lambda x: K.argmin(x, axis=0), X), X.argmin(0))
    np.testing.assert_allclose(run(K.cumsum, X), X.cumsum(0), rtol=1e-5)
    np.testing.assert_allclose(run(lambda x: K.cumprod(x, axis=1), X), X.cumprod(1), rtol=1e-5)


@pytest.mark.parametrize("x_shape, y_shape", [
    ((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 5, 3), (3, 4)), ((2, 5, 6, 3), (3, 4)),
    ((2, 5, 3), (6, 3, 4)), ((3,), (3,)),
])
def test_dot_is_numpy_dot(x_shape, y_shape):
    x, y = randn(*x_shape), randn(*y_shape, seed=1)
    np.testing.assert_allclose(run(K.dot, x, y), np.dot(x, y), rtol=1e-5, atol=1e-5)


def test_dot_of_nd_tensor_keeps_static_shape():
    x = K.placeholder(shape=(None, 28, 3))
    assert K.int_shape(K.dot(x, K.variable(np.ones((3, 4))))) == (None, 28, 4)


def test_dot_misaligned_names_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"K\.dot: shapes \(None, 3\) and \(4, 5\) are not aligned"):
        K.dot(K.placeholder(shape=(None, 3)), K.placeholder(shape=(4, 5)))


def _batch_dot_reference(x, y, axes):
    """Keras's definition: one tensordot per sample, at least 2 axes."""
    out = np.stack([np.tensordot(a, b, axes=(axes[0] - 1, axes[1] - 1)) for a, b in zip(x, y)])
    return out.reshape(len(x), 1) if out.ndim == 1 else out


@pytest.mark.parametrize("x_shape, y_shape, axes", [
    ((4, 3), (4, 3), (1, 1)), ((4, 3), (4, 3), 1), ((4, 20), (4, 30, 20), (1, 2)), ((4, 20, 1), (4, 30, 20), (1, 2)),
    ((4, 2, 3), (4, 3, 5), None), ((4, 2, 3), (4, 3), None), ((4, 3), (4, 3, 5), (1, 1)),
    ((4, 2, 3, 5), (4, 5, 6), (3, 1)),
])
def test_batch_dot(x_shape, y_shape, axes):
    x, y = randn(*x_shape), randn(*y_shape, seed=1)
    out = run(lambda a, b: K.batch_dot(a, b, axes), x, y)
    full = axes if axes is not None else (len(x_shape) - 1, len(y_shape) - 1 if len(y_shape) == 2 else len(y_shape) - 2)
    full = (full, full) if isinstance(full, int) else full
    np.testing.assert_allclose(out, _batch_dot_reference(x, y, full), rtol=1e-5, atol=1e-5)


def test_batch_dot_static_shape_and_errors():
    x, y = K.placeholder(shape=(32, 20, 1)), K.placeholder(shape=(32, 30, 20))
    assert K.int_shape(K.batch_dot(x, y, axes=(1, 2))) == (32, 1, 30)
    with pytest.raises(ValueError, match="K.batch_dot: shapes .* are not aligned"):
        K.batch_dot(x, y, axes=(1, 1))
    with pytest.raises(ValueError, match="batch axis"):
        K.batch_dot(x, y, axes=(0, 0))
    with pytest.raises(ValueError, match="multiple target dimensions"):
        K.batch_dot(x, y, axes=((1, 2), 1))


def test_switch_scalar_and_elementwise_conditions():
    x, y = randn(3, 4), randn(3, 4, seed=1)
    for flag in (0, 1):
        out = run(lambda c, a, b: K.switch(c, a, b), np.uint8(flag), x, y)
        np.testing.assert_array_equal(out, x if flag else y)
    np.testing.assert_array_equal(run(lambda a, b: K.switch(K.greater(a, b), a, b), x, y), np.maximum(x, y))
    rows = np.array([True, False, True])
    np.testing.assert_array_equal(run(lambda c, a, b: K.switch(c, a, b), rows, x, y), np.where(rows[:, None], x, y))
    np.testing.assert_array_equal(run(lambda c, a: K.switch(c, lambda: a, lambda: a * 2), np.uint8(0), x), x * 2)
    with pytest.raises(ValueError, match="K.switch: the rank"):
        K.switch(K.placeholder(shape=(2, 2)), K.placeholder(shape=(2,)), 0.0)
