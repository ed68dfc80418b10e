"""Errors, types and edge cases of the reductions (values and gradients are in cases_reduction.py)."""
import numpy as np
import pytest

from symkeras.graph import function, grad, matrix, tensor, vector
from symkeras.ops import reduction as R


def _run(build, *arrays):
    inputs = [tensor(a.dtype, a.shape) for a in arrays]
    return function(inputs, build(*inputs), mode="py")(*arrays)


def _grad(build, x):
    v = tensor(x.dtype, x.shape)
    return function([v], grad(build(v), v), mode="py")(x)


# -- errors ---------------------------------------------------------------------------------------
def test_axis_out_of_range_names_op_and_shape():
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of range for a tensor of shape \(None, 3\)"):
        R.sum(matrix(shape=(None, 3)), axis=2)


def test_repeated_axis():
    with pytest.raises(ValueError, match=r"max: repeated axis in \(0, -2\)"):
        R.max(matrix(), axis=(0, -2))


def test_non_int_axis():
    with pytest.raises(TypeError, match="an axis must be an int"):
        R.mean(matrix(), axis=1.0)


def test_argmax_takes_one_axis():
    with pytest.raises(TypeError, match="argmax: axis must be an int or None"):
        R.argmax(matrix(), axis=(0, 1))


@pytest.mark.parametrize("fn", [R.max, R.min, R.argmax, R.argmin])
def test_extremum_of_static_empty_axis(fn):
    with pytest.raises(ValueError, match=r"cannot reduce a zero-size axis of a tensor of shape \(0, 3\)"):
        fn(tensor("float64", (0, 3)), axis=0)


def test_extremum_of_empty_axis_at_run_time_names_op():
    x = matrix(dtype="float64")
    f = function([x], R.max(x, axis=0), mode="py")
    with pytest.raises(ValueError, match=r"Reduce\{max"):
        f(np.zeros((0, 3)))


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind 'mean'"):
        R.Reduce("mean", (0,))
    with pytest.raises(ValueError, match="unknown kind"):
        R.CumOp("max", 0)


def test_op_rejects_unnormalised_axes():
    with pytest.raises(ValueError, match="axes must be distinct, sorted, non-empty"):
        R.Reduce("sum", (1, 0))(matrix())
    with pytest.raises(ValueError, match="the axis must be non-negative"):
        R.CumOp("add", -1)(matrix())


# -- types and static shapes --------------------------------------------------------------------
@pytest.mark.parametrize("fn, dtype, want", [
    (R.sum, "int32", "int64"), (R.sum, "bool", "int64"), (R.sum, "float32", "float32"), (R.prod, "uint8", "uint64"),
    (R.max, "int16", "int16"), (R.any, "float32", "bool"), (R.all, "int64", "bool"),
    (R.mean, "int32", "float64"), (R.mean, "float32", "float32"), (R.var, "bool", "float64"),
    (R.argmax, "float32", "int64"), (R.cumsum, "int8", "int64"), (R.cumprod, "float32", "float32"),
])
def test_output_dtype_follows_numpy(fn, dtype, want):
    assert fn(matrix(dtype=dtype), axis=0).dtype == want


@pytest.mark.parametrize("axis, keepdims, want", [
    (None, False, ()), (None, True, (1, 1, 1)), (0, False, (3, None)), (-1, True, (None, 3, 1)), ((0, 2), False, (3,)),
])
def test_static_shape(axis, keepdims, want):
    x = tensor("float32", (None, 3, None))
    assert R.sum(x, axis=axis, keepdims=keepdims).type.shape == want
    assert R.mean(x, axis=axis, keepdims=keepdims).type.shape == want
    assert R.logsumexp(x, axis=axis, keepdims=keepdims).type.shape == want


def test_ops_compare_by_props():
    x = matrix()
    assert R.sum(x, axis=-1).owner.op == R.sum(x, axis=1).owner.op
    assert R.sum(x, axis=1).owner.op != R.sum(x, axis=1, keepdims=True).owner.op
    assert hash(R.Reduce("max", (0,))) == hash(R.Reduce("max", [0]))


def test_nothing_to_reduce_returns_the_input():
    s = tensor("float32", ())
    assert R.sum(s) is s
    assert R.max(matrix(), axis=()) is not None
    assert R.any(s).dtype == "bool"


def test_differentiability_flags():
    assert R.Reduce("sum", (0,)).differentiable
    assert not R.Reduce("any", (0,)).differentiable
    assert not R.ArgReduce("argmax", 0).differentiable


def test_variable_methods():
    x = np.arange(12.0).reshape(3, 4)
    got = _run(lambda v: v.sum(axis=1) + v.mean(axis=-1) + v.max(axis=1) + v.argmax(axis=1), x)
    np.testing.assert_allclose(got, x.sum(1) + x.mean(-1) + x.max(1) + x.argmax(1))


# -- values at the edges ----------------------------------------------------------------------------
def test_mean_of_unknown_length_divides_by_run_time_count():
    x = vector(dtype="float64")
    f = function([x], R.mean(x), mode="py")
    assert f(np.arange(5.0)) == 2.0
    assert f(np.arange(3.0)) == 1.0


def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]])
    got = _run(lambda v: R.logsumexp(v, axis=1), x)
    np.testing.assert_allclose(got, [1000 + np.log(2), -1000 + np.log(2), -np.inf])


def test_logsumexp_gradient_is_softmax():
    x = np.array([[1000.0, 999.0, 0.0], [-3.0, 2.0, 2.0]])
    g = _grad(lambda v: R.sum(R.logsumexp(v, axis=1)), x)
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(g, e / e.sum(1, keepdims=True), atol=1e-12)


@pytest.mark.parametrize("x, want", [
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
    ([2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),
    ([0.0, 0.0, 3.0], [0.0, 0.0, 0.0]),
])
def test_prod_gradient_with_zeros(x, want):
    np.testing.assert_array_equal(_grad(R.prod, np.array(x)), want)


def test_max_gradient_goes_to_every_tie():
    np.testing.assert_array_equal(_grad(R.max, np.array([1.0, 3.0, 3.0])), [0.0, 1.0, 1.0])


def test_sum_gradient_broadcasts_over_unknown_dims():
    x = matrix(dtype="float64")
    f = function([x], grad(R.sum(R.sum(x, axis=1) * np.array([1.0, 2.0])), x), mode="py")
    np.testing.assert_array_equal(f(np.zeros((2, 3))), [[1.0] * 3, [2.0] * 3])


def test_cumsum_flattens_without_axis():
    x = np.arange(6).reshape(2, 3)
    out = _run(R.cumsum, x)
    np.testing.assert_array_equal(out, np.cumsum(x))
    assert R.cumsum(matrix()).ndim == 1


def test_cumsum_gradient_is_reverse_cumsum():
    np.testing.assert_array_equal(_grad(lambda v: R.sum(R.cumsum(v) * np.array([1.0, 2.0, 3.0])), np.zeros(3)),
                                  [6.0, 5.0, 3.0])


def test_no_gradient_through_discrete_reductions():
    x = vector(dtype="float64")
    with pytest.raises(ValueError, match="does not depend on"):
        grad(R.sum(R.argmax(x, keepdims=True) + R.any(x)), x)
