"""The Numba linker: one generated module per function, fused loops, disk cache, buffer safety."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.linker.numba import compile_count
from symkeras.ops import elemwise as E


def _chain_of_20(x):
    y = x
    for k in range(5):
        y = E.tanh(y) * 0.9 + 0.1
        y = E.exp(-E.square(y)) - 0.05 * k
    return y


def test_twenty_fused_ops_become_one_loop_and_match_py():
    x = G.matrix("x")
    f = G.function([x], _chain_of_20(x), mode="numba")
    ref = G.function([x], _chain_of_20(x), mode="py", optimizer=None)
    loops = [line for line in f.thunk.source.splitlines() if line.strip().startswith("for ")]
    assert len(loops) == 2  # one loop nest over the two dimensions
    assert len(f.fgraph.apply_nodes) == 1
    xv = np.random.default_rng(0).normal(size=(7, 5)).astype("float32")
    np.testing.assert_allclose(f(xv), ref(xv), rtol=1e-5, atol=1e-6)


def test_returned_arrays_are_not_overwritten_by_the_next_call():
    x = G.vector("x")
    w = G.shared(np.zeros(3, "float32"), name="w")
    f = G.function([x], [E.tanh(x) + 1, w * 1], updates=[(w, w + x)], mode="numba")
    first, w_before = f(np.ones(3, "float32"))
    kept, kept_w = first.copy(), w_before.copy()
    f(np.full(3, 5.0, "float32"))
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_array_equal(w_before, kept_w)
    np.testing.assert_allclose(w.get_value(), [6.0, 6.0, 6.0])


def test_new_hyperparameter_values_and_batch_sizes_do_not_recompile():
    x = G.matrix("x")
    lr = G.shared(np.float32(0.1), name="lr")
    w = G.shared(np.ones((3,), "float32"), name="w")
    f = G.function([x], (x * w).sum(), updates=[(w, w - lr * w)], mode="numba")
    f(np.ones((2, 3), "float32"))
    before = compile_count()
    lr.set_value(np.float32(0.5))
    f(np.ones((7, 3), "float32"))
    assert compile_count() == before
    np.testing.assert_allclose(w.get_value(), np.full(3, 0.9 * 0.5))


def test_shape_mismatch_inside_compiled_code_is_reported_by_the_reference():
    x, y = G.matrix("x"), G.matrix("y")
    f = G.function([x, y], E.tanh(x) + y, mode="numba")
    with pytest.raises(ValueError, match=r"add|Composite"):
        f(np.ones((2, 3), "float32"), np.ones((2, 4), "float32"))


SCRIPT = textwrap.dedent("""
    import numpy as np
    from symkeras import graph as G
    from symkeras.ops import elemwise as E
    from symkeras.graph.linker.numba import compile_count
    x = G.matrix("x")
    y = x
    for k in range(5):
        y = E.tanh(y) * 0.9 + 0.1
        y = E.exp(-E.square(y)) - 0.05 * k
    f = G.function([x], G.ops.dot(y, y), mode="numba")
    f(np.ones((2, 2), "float32"))
    from symkeras.graph.linker.numba.cblas import gemm
    print("COMPILED", compile_count(), "GEMM", *sorted(str(args[1].dtype) for args in gemm.overloads))
""")


def test_second_process_compiles_nothing_new(tmp_path):
    env = dict(os.environ, SYMKERAS_CACHE_DIR=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    counts = [int(r.stdout.split("COMPILED")[1].split()[0]) for r in runs]
    assert counts == [1, 0], [r.stderr for r in runs]
    assert all(r.stdout.split("GEMM")[1].split() == ["float32"] for r in runs)  # only the dtype it multiplies
    assert all(p.name.startswith(("k_", "__pycache__", "runtime")) for p in tmp_path.iterdir())
    assert any((tmp_path / "runtime").rglob("*.nbi"))  # BLAS calls compiled once, cached for the user


@pytest.mark.parametrize("mode", ["py", "numba"])
def test_profile_reports_each_op(mode, capsys):
    x = G.matrix("x")
    w = G.shared(np.ones((3, 2), "float32"))
    f = G.function([x], E.tanh(G.ops.dot(x, w)).sum(), mode=mode, profile=True)
    for _ in range(3):
        f(np.ones((4, 3), "float32"))
    text = f.profile()
    assert "Dot" in text and "Elemwise{tanh" in text and "Reduce{sum" in text
    assert "function calls: 3" in text
    assert f.stats.calls["Dot"] == 2  # the first call (compilation) is kept apart
    unprofiled = G.function([x], x * 2, mode=mode)
    with pytest.raises(ValueError, match="profile=True"):
        unprofiled.profile()


def test_vectorizable_float32_exp_tanh_sigmoid_are_accurate_everywhere():
    from scipy.special import expit

    x = G.vector("x")
    f = G.function([x], [E.exp(x), E.tanh(x), E.sigmoid(x)], mode="numba")
    assert "_exp_f32" in f.thunk.source and "math.exp" not in f.thunk.source
    grid = np.linspace(-87.3, 88.72, 200001).astype("float32")
    for got, want in zip(f(grid), (np.exp, np.tanh, expit)):
        ref = want(grid.astype("float64"))
        normal = np.abs(ref) > 1.2e-38
        assert np.max(np.abs(got[normal] - ref[normal]) / np.abs(ref[normal])) < 3e-7
    special = np.array([0, -0.0, 1e-30, np.inf, -np.inf, np.nan, -200, 200], "float32")
    e, t, s = f(special)
    np.testing.assert_array_equal(e, [1, 1, 1, np.inf, 0, np.nan, 0, np.inf])
    np.testing.assert_array_equal(t, np.array([0, 0, 1e-30, 1, -1, np.nan, -1, 1], "float32"))
    np.testing.assert_array_equal(s, [0.5, 0.5, 0.5, 1, 0, np.nan, 0, 1])


def test_kernels_call_one_shared_module_of_scalar_helpers():
    """A helper (float32 tanh) compiles once per process for every kernel using it, not once per kernel."""
    x = G.matrix("x")
    f = G.function([x], E.tanh(x) * E.sigmoid(x), mode="numba")
    g = G.function([x], E.tanh(x * 2.0), mode="numba")
    helpers = []
    for function in (f, g):
        assert "def _tanh_f32" not in function.thunk.source and "'_tanh_f32')" in function.thunk.source
        helpers.append(function.thunk.entry.py_func.__globals__["_tanh_f32"])
    assert helpers[0] is helpers[1]
    v = np.linspace(-4, 4, 12, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(f(v), np.tanh(v) / (1 + np.exp(-v)), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(g(v), np.tanh(2 * v), rtol=1e-6, atol=1e-7)


def test_convolution_and_pooling_kernels_call_the_shared_window_geometry():
    """The window geometry (`indexed_window_geometry`) is a shared helper too: one compile for every kernel."""
    from symkeras.graph.linker.numba import codegen
    from symkeras.ops import conv as C, pool as P

    x = G.tensor("float32", (None, 6, 6, 2), name="x")
    k = G.tensor("float32", (3, 3, 2, 4), name="k")
    f = G.function([x, k], [C.conv(x, k), P.pool(x, (2, 2), mode="max")], mode="numba")
    key = codegen.shared_helpers_key()
    assert f"load_kernel({key!r}, 'indexed_window_geometry')" in f.thunk.source
    assert "def indexed_window_geometry" not in f.thunk.source
    xv = np.arange(72, dtype="float32").reshape(1, 6, 6, 2) / 72
    kv = np.ones((3, 3, 2, 4), "float32")
    y, pooled = f(xv, kv)
    assert y.shape == (1, 4, 4, 4) and pooled.shape == (1, 3, 3, 2)
    np.testing.assert_allclose(y[0, 0, 0, 0], xv[0, :3, :3, :].sum(), rtol=1e-5)
    np.testing.assert_allclose(pooled[0, 0, 0], xv[0, :2, :2, :].max(axis=(0, 1)))
