"""Errors and edge cases of pooling and the spatial functions (values and gradients are in cases_pool.py)."""
import numpy as np
import pytest

from symkeras.graph import function, grad, tensor
from symkeras.ops import pool as P
from tests.ops.cases_pool import direct_pool, direct_pool_grad


def test_window_larger_than_input_with_valid_padding():
    with pytest.raises(ValueError, match=r"Pool\{2, max.*window of \(3, 3\).*does not fit an input of shape \(None, 2, 5, 1\)"):
        P.pool(tensor("float32", (None, 2, 5, 1)), 3)


def test_same_padding_keeps_every_window():
    assert P.pool(tensor("float32", (None, 2, 5, 1)), 3, padding="same").type.shape == (None, 1, 2, 1)


def test_rank_and_mode_errors():
    with pytest.raises(ValueError, match=r"pool: expects an input of rank 3, 4 or 5, got shape \(None, 4\)"):
        P.pool(tensor("float32", (None, 4)), 2)
    with pytest.raises(ValueError, match="mode must be one of"):
        P.pool(tensor("float32", (None, 4, 4, 1)), 2, mode="min")
    with pytest.raises(ValueError, match="padding must be one of"):
        P.pool(tensor("float32", (None, 4, 1)), 2, padding="causal")


def test_pool_grad_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"output gradient of shape \(None, 3, 3, 1\) does not fit"):
        P.PoolGrad(2, "max", 2)(tensor("float32", (None, 4, 4, 1)), tensor("float32", (None, 3, 3, 1)))


def test_max_pool_grad_grad_is_not_differentiable():
    x = tensor("float64", (1, 4, 4, 1))
    g = grad(P.pool(x, 2).sum(), x)
    with pytest.raises(NotImplementedError, match="gradient of a max-pooling gradient"):
        grad(g.sum() * 2.0 + (g * g).sum(), x)


@pytest.mark.parametrize("mode", ["py", "numba"])
def test_max_pool_gradient_goes_to_the_first_maximum(mode):
    x = tensor("float64", (1, 2, 4, 1))
    f = function([x], grad(P.pool(x, 2, 2).sum(), x), mode=mode)
    value = np.array([[2.0, 2.0, 1.0, 5.0], [2.0, 0.0, 5.0, 5.0]]).reshape(1, 2, 4, 1)
    np.testing.assert_array_equal(f(value)[0, :, :, 0], [[1, 0, 0, 1], [0, 0, 0, 0]])


@pytest.mark.parametrize("mode", ["py", "numba"])
def test_average_excludes_padding(mode):
    x = tensor("float32", (None, None, None, 1))
    f = function([x], P.pool(x, 2, 2, "same", mode="avg"), mode=mode)
    value = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    np.testing.assert_allclose(f(value)[0, :, :, 0], [[2.0, 3.5], [6.5, 8.0]])


def test_numba_matches_references_on_a_batch_of_many_windows():
    rng = np.random.default_rng(0)
    xv = rng.normal(size=(3, 9, 8, 4))
    x = tensor("float64", (None, 9, 8, 4))
    for mode in ("max", "average"):
        y = P.pool(x, (3, 2), (2, 3), "same", mode=mode)
        gz = np.ones((3, 5, 3, 4))
        f = function([x], [y, grad(y.sum(), x)], mode="numba")
        got_y, got_g = f(xv)
        np.testing.assert_allclose(got_y, direct_pool(xv, (3, 2), (2, 3), "same", mode))
        np.testing.assert_allclose(got_g, direct_pool_grad(xv, gz, (3, 2), (2, 3), "same", mode))


def test_cropping_too_much():
    with pytest.raises(ValueError, match=r"cropping: cannot crop 2 \+ 2 elements from axis 1"):
        P.cropping(tensor("float32", (None, 4, 3)), 2)


def test_padding_argument_forms():
    with pytest.raises(ValueError, match="zero_padding: expected an int, 2 ints or 2 pairs"):
        P.zero_padding(tensor("float32", (None, 4, 4, 1)), ((1, 2, 3), (1, 1)))


def test_bilinear_needs_static_sizes():
    with pytest.raises(ValueError, match="upsample_bilinear: needs a 4-D input with static spatial sizes"):
        P.upsample_bilinear(tensor("float32", (None, None, 4, 1)), 2)
