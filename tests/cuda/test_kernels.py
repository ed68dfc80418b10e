"""Mode "cuda" computes what mode "py" does, one family of kernels per test (simulator in CI, GPU in gpu_check)."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.grad import grad
from symkeras.ops import blas as B
from symkeras.ops import nnet as N
from symkeras.ops import reduction as R
from symkeras.ops.random import RandomStream
from tests.cuda.helpers import BIG, match_py

rng = np.random.default_rng(0)


def test_fused_elementwise_broadcasting_transposed_and_scalars():
    x, v, y = G.matrix("x"), G.vector("v"), G.matrix("y")
    s = G.shared(np.float32(0.5), name="s")
    t = G.tensor("int64", (None, None), name="t")
    outputs = [
        G.ops.tanh(x * v + s) ** 2 - G.ops.sigmoid(x.T.T) / (1 + G.ops.abs(x)),  # one Composite, broadcasting
        x.T * y + G.ops.floor(y) + G.ops.round(y),  # a transposed (strided) view read in place
        G.ops.switch(x > 0, G.ops.log1p(G.ops.abs(x)), G.ops.relu(x, alpha=0.1)),
        (t // 3 + t % 3) * 2, G.ops.cast(x > v, "float64"), s * 3.0,
    ]
    values = [rng.normal(size=(4, BIG)).astype("float32") * 3, rng.normal(size=BIG).astype("float32"),
              rng.integers(-9, 9, (3, BIG)), rng.normal(size=(BIG, 4)).astype("float32") * 3]
    f = match_py([x, v, t, y], outputs, values)
    assert f.thunk.fallback_ops == []


def test_reductions_over_axes():
    x = G.tensor("float64", (None, None, None), name="x")
    i = G.tensor("int32", (None, None), name="i")
    outputs = [R.sum(x, 0), R.sum(x, (1, 2)), R.max(x, 1), R.min(x, (0, 2)), R.prod(x, 2, keepdims=True),
               R.sum(x), R.mean(x, 1), R.sum(x.dimshuffle(2, 0, 1), 0), R.sum(i, 1), R.max(i, 0)]
    values = [rng.normal(size=(3, 4, BIG)), rng.integers(-5, 5, (BIG, 3)).astype("int32")]
    match_py([x, i], outputs, values, rtol=1e-10, atol=1e-10)


def test_long_reductions_take_two_deterministic_passes():
    x = G.vector("x")
    n = 100_000 if BIG > 5 else 300
    xv = rng.random(n).astype("float32")
    f = match_py([x], [R.sum(x), R.max(x), R.sum(x.reshape((10, -1)), 1)], [xv], rtol=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(f(xv), f(xv)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gemm_dot_forms_and_fused_bias(dtype):
    a, b = G.tensor(dtype, (None, None), name="a"), G.tensor(dtype, (None, None), name="b")
    v, bias = G.tensor(dtype, (None,), name="v"), G.tensor(dtype, (None,), name="bias")
    outputs = [B.dot(a, b) + bias, B.dot(a.T, a), B.dot(a, v), B.dot(v, b), B.dot(v, v)]
    k = BIG + 3
    values = [rng.normal(size=(BIG + 1, k)).astype(dtype), rng.normal(size=(k, BIG + 2)).astype(dtype),
              rng.normal(size=k).astype(dtype), rng.normal(size=BIG + 2).astype(dtype)]
    f = match_py([a, b, v, bias], outputs, values, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-4)
    assert "DotBias" in {type(n.op).__name__ for n in f.fgraph.apply_nodes} and f.thunk.fallback_ops == []


def test_softmax_family_and_their_gradients():
    x, y = G.tensor("float32", (None, 7), name="x"), G.matrix("y")
    labels = G.tensor("int64", (None,), name="labels")
    xent = R.mean(N.categorical_crossentropy(y, x, from_logits=True))
    sparse = R.sum(N.SparseSoftmaxCrossentropyWithLogits(1)(labels, x))
    outputs = [N.softmax(x), N.log_softmax(x, 0), xent, sparse] + grad(xent + sparse, [x, y])
    xv = rng.normal(size=(BIG, 7)).astype("float32") * 4
    yv = rng.random((BIG, 7)).astype("float32")
    lv = rng.integers(0, 7, BIG)
    f = match_py([x, y, labels], outputs, [xv, yv, lv], rtol=1e-4, atol=1e-5)
    assert f.thunk.fallback_ops == []
    with pytest.raises(ValueError, match="labels must lie"):
        f(xv, yv, lv + 7)


def test_dropout_draws_have_the_cpu_bits():
    x = G.matrix("x")
    outputs = []
    for mode in ("cuda", "py"):
        stream = RandomStream(seed=42)
        keep = stream.binomial(x.shape, p=0.7, dtype="float32")
        u = stream.uniform((3, BIG), low=-1.0, high=2.0, dtype="float64")
        f = G.function([x], [x * keep, u, stream.uniform((BIG,), dtype="float32")], mode=mode)
        xv = np.ones((4, BIG), "float32")
        outputs.append([f(xv), f(xv)])  # two calls: the state advances on the device
    for got, want in zip(outputs[0], outputs[1]):
        np.testing.assert_array_equal(got[0], want[0])  # the dropout mask: integer arithmetic, the CPU's bits
        np.testing.assert_array_equal(got[2], want[2])  # uniform [0, 1): exact conversions only
        # low + (high - low) * u: the CUDA compiler contracts it into one FMA (measured: at most 1 ulp on an H200)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-15, atol=0)
    assert not np.array_equal(outputs[0][0][0], outputs[0][1][0])


def test_ops_without_kernels_fall_back_to_the_host_and_are_listed():
    x = G.matrix("x")
    f = match_py([x], [R.cumsum(G.ops.exp(x), 1) * 2.0, R.argmax(x, 0)], [rng.normal(size=(3, BIG)).astype("float32")])
    assert sorted(f.thunk.fallback_ops) == sorted(["CumOp{add, 1, False}", "ArgReduce{argmax, 0, False}"]) or (
        len(f.thunk.fallback_ops) == 2
    )


def test_gemm_updates_a_momentum_slot_in_place_with_device_scalars():
    a, g = G.matrix("a"), G.matrix("g")
    values = [rng.normal(size=(BIG, BIG + 1)).astype("float32"), rng.normal(size=(BIG, BIG + 2)).astype("float32")]
    fetched = []
    for mode in ("cuda", "py"):
        m = G.shared(np.ones((BIG + 1, BIG + 2), "float32"), name="m")
        lr, momentum = G.shared(np.float32(0.1), name="lr"), G.shared(np.float32(0.9), name="momentum")
        update = momentum * m - lr * B.dot(a.T, g)
        f = G.function([a, g], [], updates=[(m, update)], mode=mode)
        fetched.append([(f(*values), m.get_value())[1] for _ in range(2)])
        assert "Gemm{True}" in {str(n.op) for n in f.fgraph.apply_nodes}
        assert mode == "py" or f.thunk.fallback_ops == []
    for got, want in zip(*fetched):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert not np.allclose(fetched[0][0], fetched[0][1])
