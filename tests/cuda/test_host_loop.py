"""The CUDA host loop's costs and its buffer pool: steady calls allocate nothing and never clobber live values."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.linker.cuda import device as D
from symkeras.ops import nnet as N
from symkeras.ops import reduction as R
from tests.cuda.helpers import BIG, mlp_step

rng = np.random.default_rng(0)


def test_steady_calls_allocate_nothing_and_copy_only_inputs_and_fetched_outputs():
    xv = rng.normal(size=(BIG + 2, BIG + 4)).astype("float32")
    yv = np.eye(3, dtype="float32")[rng.integers(0, 3, BIG + 2)]
    f, _ = mlp_step("cuda", BIG + 4, BIG + 1, 3)
    D.reset_counts()
    f(xv, yv)
    first = D.reset_counts()
    assert first["alloc"] > 0 and f.thunk.fallback_ops == []
    for _ in range(2):
        f(xv, yv)
        # intermediates come from the pool; updates reuse the buffers their variables let go
        assert D.reset_counts() == {"alloc": 0, "upload": 2, "download": 1, "launch": first["launch"]}


def test_updates_that_read_each_other_and_views_match_py_across_calls():
    x = G.matrix("x")
    a = G.shared(np.ones((3, 4), "float32"), name="a")
    b = G.shared(np.full((3, 4), 2.0, "float32"), name="b")
    c = G.shared(np.zeros(12, "float32"), name="c")
    updates = [(a, b * 0.5 + x), (b, a + 1.0), (c, (a * x).reshape((12,)))]  # each reads the other's old value
    outputs = [a + b, (a * x).T]
    xv = rng.normal(size=(3, 4)).astype("float32")
    fetched = {}
    for mode in ("cuda", "py"):
        for s, v in ((a, 1.0), (b, 2.0), (c, 0.0)):
            s.set_value(np.full(s.get_value().shape, v, "float32"))
        f = G.function([x], outputs, updates=updates, mode=mode)
        results = [f(xv) for _ in range(3)]
        a.set_value(a.get_value() * 3)  # a host value again: its device buffer goes back to the pool
        results += [f(xv) for _ in range(3)]
        fetched[mode] = results + [[s.get_value() for s in (a, b, c)]]
    for got, want in zip(fetched["cuda"], fetched["py"]):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-6)


def test_a_failing_call_leaves_the_function_usable():
    x = G.tensor("float32", (None, 4), name="x")
    labels = G.tensor("int64", (None,), name="labels")
    f = G.function([x, labels], R.sum(N.SparseSoftmaxCrossentropyWithLogits(1)(labels, x)), mode="cuda")
    xv = rng.normal(size=(BIG, 4)).astype("float32")
    good = f(xv, np.arange(BIG) % 4)
    with pytest.raises(ValueError, match="labels must lie"):
        f(xv, np.arange(BIG) % 4 + 1)
    np.testing.assert_array_equal(f(xv, np.arange(BIG) % 4), good)


def test_host_linkers_read_what_a_cuda_function_left_on_the_device():
    s = G.shared(np.arange(4, dtype="float32"), name="s")
    step = G.function([], [], updates=[(s, s * 2.0 + 1.0)], mode="cuda")
    step()
    assert D.is_device(s.container[0])
    np.testing.assert_array_equal(G.function([], s + 0.0, mode="py")(), [1, 3, 5, 7])
    step()  # uploads the host value the py function brought back
    np.testing.assert_array_equal(G.function([], s + 0.0, mode="numba")(), [3, 7, 11, 15])
    step()
    np.testing.assert_array_equal(s.get_value(), [7, 15, 23, 31])
