"""BLAS gemm from compiled code (`cblas.gemm`), the `Gemm` op, and kernels shared between functions."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.linker.numba.cblas import blas_layout, gemm, require_gemm
from symkeras.graph.linker.numba.codegen import KERNEL_SPLIT_MIN_NODES
from symkeras.graph.verify_grad import verify_grad
from symkeras.ops import elemwise as E
from symkeras.ops import reduction as R
from symkeras.ops.gemm import Gemm


@pytest.fixture(autouse=True, scope="module")
def compiled_gemm():
    for dtype in ("float32", "float64"):
        require_gemm(dtype)


def _layouts(a: np.ndarray):
    """Fresh copies of a matrix: row-major, column-major, a transposed view, a strided view BLAS cannot take."""
    return [a.copy(), np.asfortranarray(a.copy()), a.T.copy().T, np.repeat(a, 2, axis=1)[:, ::2]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gemm_takes_every_layout_without_changing_the_result(dtype):
    rng = np.random.default_rng(0)
    for m, k, n in ((3, 4, 5), (1, 7, 1), (5, 1, 3), (2, 3, 1)):
        a, b = rng.normal(size=(m, k)).astype(dtype), rng.normal(size=(k, n)).astype(dtype)
        c0 = rng.normal(size=(m, n)).astype(dtype)
        want = 0.5 * (a @ b) + 2.0 * c0
        for av in _layouts(a):
            for bv in _layouts(b):
                for c in _layouts(c0):
                    gemm(0.5, av, bv, 2.0, c)
                    np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)


def test_gemm_edges_and_errors():
    c = np.ones((2, 3))
    gemm(1.0, np.empty((2, 0)), np.empty((0, 3)), 3.0, c)  # nothing to multiply: c = beta * c
    np.testing.assert_array_equal(c, 3.0)
    gemm(1.0, np.empty((2, 0)), np.empty((0, 3)), 0.0, c)
    np.testing.assert_array_equal(c, 0.0)
    with pytest.raises(ValueError, match="not aligned"):
        gemm(1.0, np.ones((2, 3)), np.ones((4, 3)), 0.0, c)
    assert blas_layout(np.ones((3, 4)))[0] == 0 and blas_layout(np.ones((3, 4)).T)[0] == 1
    assert blas_layout(np.ones((3, 8))[:, ::2])[0] == -1


def test_gemm_op_in_numba_matches_py_and_its_gradient_checks():
    z, x, y = G.matrix("z"), G.matrix("x"), G.matrix("y")
    alpha, beta = G.scalar("alpha"), G.scalar("beta")
    out = Gemm()(z, alpha, x, y, beta)
    rng = np.random.default_rng(2)
    values = [rng.normal(size=s).astype("float32") for s in ((3, 2), (), (3, 4), (4, 2), ())]
    want = G.function([z, alpha, x, y, beta], out, mode="py")(*values)
    got = G.function([z, alpha, x, y, beta], [out, E.tanh(x).T], mode="numba")(*values)
    np.testing.assert_allclose(got[0], want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(want, values[4] * values[0] + values[1] * values[2] @ values[3], rtol=1e-5, atol=1e-5)
    verify_grad(lambda *v: Gemm()(*v), [v.astype("float64") for v in values])


def test_gemm_op_says_which_shapes_do_not_fit():
    with pytest.raises(ValueError, match=r"Gemm: shapes \(2, 3\) \+ \(2, 4\) @ \(5, 3\) do not fit"):
        Gemm()(G.tensor("float32", (2, 3)), 1.0, G.tensor("float32", (2, 4)), G.tensor("float32", (5, 3)), 1.0)
    with pytest.raises(ValueError, match="alpha must be a scalar"):
        Gemm()(G.matrix("z"), G.vector("a"), G.matrix("x"), G.matrix("y"), 1.0)


def _centred_tanh_chain(x, steps):
    """`steps` rounds of ``tanh(x - rowmax(x))``: a reduction between elementwise nodes keeps them apart."""
    for _ in range(steps):
        x = E.tanh(x - R.max(x, axis=1, keepdims=True))
    return x


def _kernel_keys(f):
    """The cache keys of the kernel modules `f`'s entry point calls (scalar helpers are loaded the same way)."""
    return [line.split("'")[1] for line in f.thunk.source.splitlines() if line.startswith("kernel_")
            and "load_kernel('" in line]


def test_large_graphs_call_kernel_modules_that_equal_nodes_share():
    x = G.matrix("x")
    f = G.function([x], _centred_tanh_chain(x, 12), mode="numba")
    g = G.function([x], _centred_tanh_chain(x, 13) * 2, mode="numba")
    small = G.function([x], _centred_tanh_chain(x, 2), mode="numba")
    assert len(f.fgraph.apply_nodes) >= KERNEL_SPLIT_MIN_NODES and not _kernel_keys(small)
    assert len(set(_kernel_keys(f))) <= 3 and set(_kernel_keys(f)) < set(_kernel_keys(g))
    xv = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    want = xv
    for _ in range(13):
        want = np.tanh(want - want.max(axis=1, keepdims=True))
    np.testing.assert_allclose(g(xv), 2 * want, rtol=1e-5, atol=1e-6)


def test_one_elementwise_kernel_serves_every_rank(monkeypatch):
    """Same-shape operands are flattened for one vector kernel that a matrix, a 4-d and a (n, 1) node share;
    a transposed view is flattened into a copy (an overwritten one gets the result back); a shape mismatch
    is still the op's error."""
    from symkeras.graph.linker.numba import codegen
    from symkeras.ops.elemwise import Elemwise

    monkeypatch.setattr(codegen, "KERNEL_SPLIT_MIN_NODES", 0)

    def update(x, g):  # an optimizer step's shape: every operand the parameter's shape, the rest scalars
        return x - 0.01 * E.tanh(g) * g

    functions, keys = [], []
    for shape in [(None, None), (None, None, None, None), (None, 1)]:
        x, g = G.tensor("float32", shape, name="x"), G.tensor("float32", shape, name="g")
        functions.append(G.function([x, g], update(x, g), mode="numba"))
        keys.append(_kernel_keys(functions[-1]))
    assert keys[0] == keys[1] == keys[2] and len(keys[0]) == 1, "one vector kernel for every rank"
    rng = np.random.default_rng(0)
    for f, shape in zip(functions, [(3, 5), (2, 3, 2, 2), (4, 1)]):
        xv, gv = rng.random(shape, dtype="float32"), rng.random(shape, dtype="float32")
        np.testing.assert_allclose(f(xv, gv), xv - 0.01 * np.tanh(gv) * gv, rtol=1e-6)
    matrices = functions[0]
    xv, gv = rng.random((5, 3), dtype="float32"), rng.random((5, 3), dtype="float32")
    np.testing.assert_allclose(matrices(xv.T, gv.T), (xv - 0.01 * np.tanh(gv) * gv).T, rtol=1e-6)
    with pytest.raises(ValueError, match=r"shapes \(3,5\) \(5,3\)"):
        matrices(rng.random((3, 5), dtype="float32"), gv)  # 15 elements each, yet not the same shape

    x, y = G.tensor("float32", (None, None), name="x"), G.tensor("float32", (None, None), name="y")
    transposed = (x + 1.0).T  # a view of a fresh buffer, not C-contiguous
    in_place = Elemwise((x * y).owner.op.scalar_op, inplace=0)(transposed, y)  # as the in-place rewrite marks
    f = G.function([x, y], [in_place, transposed], mode="numba", optimizer=None)
    xv, yv = rng.random((5, 3), dtype="float32"), rng.random((3, 5), dtype="float32")
    product, buffer = f(xv, yv)
    np.testing.assert_allclose(product, (xv.T + 1) * yv, rtol=1e-6)
    np.testing.assert_array_equal(buffer, product, err_msg="the overwritten view holds the result")
    assert "copy_into(" in f.thunk.source and "[...] =" not in f.thunk.source, "no per-site setitem to compile"


def test_a_reduction_keeping_its_axes_shares_the_kernel_of_the_one_dropping_them(monkeypatch):
    """``sum(x, axis, keepdims=True)`` calls the kernel of ``sum(x, axis)`` and reshapes: one kernel for both,
    from the Python glue and from the compiled entry point (helpers off) alike."""
    from symkeras.graph import config
    from symkeras.graph.linker.numba import codegen

    monkeypatch.setattr(codegen, "KERNEL_SPLIT_MIN_NODES", 0)
    x = G.tensor("float32", (None, None, None), name="x")
    rng = np.random.default_rng(3)
    xv = rng.random((2, 3, 4), dtype="float32")
    keys = {}
    for helpers in (True, False):
        monkeypatch.setattr(config, "compile_helpers", helpers)
        for axes in [(1,), (0, 2), (0, 1, 2)]:
            for keep in (False, True):
                f = G.function([x], R.Reduce("max", axes, keepdims=keep)(x), mode="numba")
                keys.setdefault(axes, []).append(_kernel_keys(f))
                np.testing.assert_array_equal(f(xv), np.max(xv, axis=axes, keepdims=keep))
    assert all(len(set(map(tuple, found))) == 1 and len(found[0]) == 1 for found in keys.values()), keys
