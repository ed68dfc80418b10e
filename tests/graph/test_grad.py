"""Reverse-mode `grad`: accumulation, broadcasting, disconnected and discrete inputs, Jacobians."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.ops import elemwise as E


def _eval(inputs, outputs, *values):
    return G.function(inputs, outputs, mode="py", optimizer=None)(*values)


def test_micrograd_scalar_example():
    # micrograd's README example, checked against its published values
    a, b = G.scalar("a", "float64"), G.scalar("b", "float64")
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + E.relu(b + a)
    d = d + 3 * d + E.relu(b - a)
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    ga, gb = G.grad(g, [a, b])
    value, da, db = _eval([a, b], [g, ga, gb], -4.0, 2.0)
    assert value == pytest.approx(24.7041, abs=1e-4)
    assert da == pytest.approx(138.8338, abs=1e-4)
    assert db == pytest.approx(645.5773, abs=1e-4)


def test_gradients_accumulate_over_uses():
    x = G.scalar("x", "float64")
    y = x * x * x + x
    (value,) = _eval([x], [G.grad(y, x)], 2.0)
    assert value == pytest.approx(3 * 4 + 1)


def test_broadcast_gradient_is_summed_back_to_the_input_shape():
    x = G.tensor("float64", (None, 3), name="x")
    b = G.tensor("float64", (3,), name="b")
    s = G.tensor("float64", (None, 1), name="s")
    cost = ((x + b) * s).sum()
    gb, gs = G.grad(cost, [b, s])
    xv, bv, sv = np.ones((4, 3)), np.arange(3.0), np.arange(4.0).reshape(4, 1)
    got_b, got_s = _eval([x, b, s], [gb, gs], xv, bv, sv)
    np.testing.assert_allclose(got_b, np.full(3, sv.sum()))
    np.testing.assert_allclose(got_s, (xv + bv).sum(axis=1, keepdims=True))


def test_non_scalar_cost_is_a_clear_error():
    x = G.vector("x")
    with pytest.raises(TypeError, match=r"cost must be a scalar, got .* of shape \(None,\)"):
        G.grad(x * 2, x)


def test_discrete_wrt_is_a_clear_error():
    i = G.vector("i", dtype="int32")
    with pytest.raises(TypeError, match="discrete dtype int32"):
        G.grad((i * 2).sum(), i)


def test_no_gradient_flows_through_integer_paths():
    x = G.vector("x", dtype="float64")
    cost = (E.cast(x, "int32") * x).sum()
    (g,) = _eval([x], [G.grad(cost, x)], np.array([1.7, 2.2]))
    np.testing.assert_allclose(g, [1.0, 2.0])


def test_disconnected_inputs():
    x, y = G.scalar("x", "float64"), G.scalar("y", "float64")
    with pytest.raises(G.DisconnectedInputError, match="does not depend on y"):
        G.grad(x * 2, y)
    g = G.grad(x * 2, y, disconnected_inputs="ignore")
    assert _eval([y], g, 3.0) == 0.0
    with pytest.warns(UserWarning, match="does not depend"):
        G.grad(x * 2, y, disconnected_inputs="warn")


def test_known_grads_and_consider_constant():
    x = G.vector("x", dtype="float64")
    h = E.tanh(x)
    g = G.grad(None, x, known_grads={h: E.ones_like(h) * 2})
    xv = np.array([0.1, -0.3])
    np.testing.assert_allclose(_eval([x], g, xv), 2 * (1 - np.tanh(xv) ** 2))
    stopped = G.grad((h * x).sum(), x, consider_constant=[h])
    np.testing.assert_allclose(_eval([x], stopped, xv), np.tanh(xv))


def test_jacobian_and_hessian_of_small_functions():
    x = G.tensor("float64", (3,), name="x")
    xv = np.array([0.5, -1.0, 2.0])
    jac = G.jacobian(x ** 2, x)
    np.testing.assert_allclose(_eval([x], jac, xv), np.diag(2 * xv))
    hess = G.hessian((x ** 3).sum(), x)
    np.testing.assert_allclose(_eval([x], hess, xv), np.diag(6 * xv))
