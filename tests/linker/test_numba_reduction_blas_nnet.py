"""Numba kernels of reductions, products and softmax ops on the edges the registry cases miss.

NaN and infinities, integer and boolean products, transposed operands in a gradient graph,
and the errors the compiled code raises.  Each test compiles one function with many outputs.
"""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.grad import grad
from symkeras.ops import blas as B
from symkeras.ops import nnet as N
from symkeras.ops import reduction as R


def _match_py(inputs, outputs, values, optimizer="default"):
    kwargs = {} if optimizer == "default" else {"optimizer": optimizer}
    got = G.function(inputs, outputs, mode="numba", **kwargs)(*values)
    want = G.function(inputs, outputs, mode="py", optimizer=None)(*values)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape, (g.dtype, w.dtype, g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_and_infinite_values_follow_numpy():
    x = G.tensor("float64", (None, None), name="x")
    xv = np.array([[1.0, np.nan, 3.0, 0.0, 2.0], [np.nan, 2.0, 5.0, 5.0, 1.0], [-np.inf] * 5, [np.inf, 1.0, 0.0, 2.0, 3.0]])
    outputs = [R.max(x, 1), R.min(x, 0), R.argmax(x, 1), R.argmin(x), R.sum(x, 0), R.prod(x, 1, keepdims=True),
               N.softmax(x), N.log_softmax(x, 0), R.any(x, 1), R.all(x, 0), R.cumsum(x, 0), R.cumprod(x, 1)]
    _match_py([x], outputs, [xv], optimizer=None)


def test_integer_boolean_and_mixed_products():
    i = G.tensor("int32", (None, None, None), name="i")
    j = G.tensor("int64", (None, None), name="j")
    b = G.tensor("bool", (None, None), name="b")
    f = G.tensor("float32", (None, None), name="f")
    rng = np.random.default_rng(0)
    outputs = [B.matmul(i, j), B.tensordot(i, j, ([2], [0])), B.dot(b, b), B.dot(j, j[0]), B.dot(f, j)]
    values = [rng.integers(-3, 4, (2, 3, 3)).astype("int32"), rng.integers(-3, 4, (3, 3)), rng.random((3, 3)) < 0.5,
              rng.normal(size=(2, 3)).astype("float32")]
    _match_py([i, j, b, f], outputs, values, optimizer=None)


def test_dense_softmax_training_graph_with_transposed_operands():
    a, w, bias = G.matrix("a"), G.matrix("w"), G.vector("b")
    y = G.tensor("int64", (None,), name="y")
    loss = R.mean(N.SparseSoftmaxCrossentropyWithLogits(1)(y, B.dot(a, w) + bias))
    rng = np.random.default_rng(1)
    values = [rng.normal(size=(5, 4)).astype("float32"), rng.normal(size=(4, 3)).astype("float32"),
              rng.normal(size=3).astype("float32"), np.array([0, 2, 1, 1, 0])]
    _match_py([a, w, bias, y], [loss] + grad(loss, [a, w, bias]), values)


def test_compiled_kernels_raise_where_numpy_does():
    x = G.tensor("float64", (None, None), name="x")
    y = G.tensor("int64", (None,), name="y")
    t, u = G.tensor("float64", (None, None, None), name="t"), G.tensor("float64", (None, None, None), name="u")
    with pytest.raises(ValueError, match="labels must lie"):
        G.function([y, x], N.sparse_categorical_crossentropy(y, x, True), mode="numba")(np.array([0, 3]), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="zero-size"):
        G.function([x], R.max(x, 1), mode="numba")(np.zeros((3, 0)))
    with pytest.raises(ValueError, match="broadcast|Matmul"):
        G.function([t, u], B.matmul(t, u), mode="numba")(np.zeros((2, 3, 3)), np.zeros((3, 3, 3)))
