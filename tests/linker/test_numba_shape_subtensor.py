"""Numba code for the shape and indexing ops, beyond the registry cases: views, broadcasting, errors."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.linker.numba.codegen import generate_module
from symkeras.ops import shape as S
from symkeras.ops.subtensor import inc_subtensor


def _both(inputs, outputs, values):
    got = G.function(inputs, outputs, mode="numba")(*values)
    want = G.function(inputs, outputs, mode="py", optimizer=None)(*values)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def test_views_of_non_contiguous_tensors():
    x = G.tensor("float32", (None, None, None), name="x")
    t = S.transpose(x, (2, 0, 1))
    outputs = [
        S.reshape(t, (-1,)),  # a reshape of a transposed (non-contiguous) tensor
        S.flatten(t[:, ::2], 2),
        S.dimshuffle(t[1:, :, 0], (1, "x", 0)),
        S.squeeze(S.expand_dims(t, 1), 1)[::-1, 1],
        S.concatenate([t, t[:1]], axis=0),
    ]
    _both([x], outputs, [np.arange(24, dtype="float32").reshape(2, 3, 4)])


def test_a_permutation_is_a_strided_view_and_not_numbas_transpose():
    """Numba's ``transpose(axes)`` costs seconds of compilation at each site; the view is built from strides."""
    x = G.tensor("float32", (None, None, None, None), name="x")
    y = S.dimshuffle(x[:, 0], (2, 0, "x", 1))
    source, _ = generate_module(G.FunctionGraph([x], [y]))
    assert "as_strided" in source and ".transpose(" not in source
    f = G.function([x], y, mode="numba")
    xv = np.arange(120, dtype="float32").reshape(2, 3, 4, 5)
    for value in (xv, xv[:, :, ::-2], xv.transpose(3, 1, 0, 2)):
        np.testing.assert_array_equal(f(value), value[:, 0].transpose(2, 0, 1)[:, :, None])


def test_a_scalar_fill_is_np_full_and_never_a_kernel(monkeypatch):
    """An LSTM's zero states: in a split graph a fill stays in the glue, one kernel fewer to compile each."""
    from symkeras.graph.linker.numba import codegen

    monkeypatch.setattr(codegen, "KERNEL_SPLIT_MIN_NODES", 0)
    x, v = G.matrix("x"), G.tensor("float64", (), name="v")
    y = S.alloc(v, x.shape[0], 3)
    source, kernels = generate_module(G.FunctionGraph([x, v], [y]))
    assert "np.full(" in source and not kernels
    f = G.function([x, v], y, mode="numba")
    got = f(np.ones((2, 5), "float32"), 0.1)
    assert got.dtype == np.float64 and got.shape == (2, 3)
    np.testing.assert_array_equal(got, np.full((2, 3), 0.1))
    with pytest.raises(ValueError):
        G.function([v], S.alloc(v, -1, 2), mode="numba")(1.0)


def test_index_arrays_broadcast_at_run_time_and_repeats_accumulate():
    x = G.matrix("x", dtype="float64")
    i = G.tensor("int64", (None, None), name="i")
    j = G.tensor("int64", (None,), name="j")
    y = G.tensor("float64", (None, None), name="y")
    outputs = [x[i, j], inc_subtensor(x[i, j], y), x[:, j][i[:, 0]]]
    values = [np.arange(12.0).reshape(3, 4), np.array([[2], [0], [2]]), np.array([3, -1, 0, 3]), np.ones((3, 4))]
    _both([x, i, j, y], outputs, values)


def test_an_embedding_lookup_reads_each_id_once_per_row():
    w, ids = G.matrix("w"), G.tensor("int64", (None, None), name="ids")
    f = G.function([w, ids], w[ids], mode="numba")
    body = f.thunk.source.split("def run")[1]
    def indent(line):
        return len(line) - len(line.lstrip())

    loops = [line for line in body.splitlines() if line.strip().startswith("for ")]
    read = next(line for line in body.splitlines() if "= int(" in line)
    assert len(loops) == 3 and indent(read) == indent(loops[1]) + 4 == indent(loops[2])  # between the loops
    wv = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_array_equal(f(wv, np.array([[4, 0], [0, 2]])), wv[[[4, 0], [0, 2]]])
    with pytest.raises(IndexError, match="out of bounds"):
        f(wv, np.array([[5]]))


def test_out_of_bounds_int_index_is_reported_by_the_reference():
    x, v = G.matrix("x"), G.vector("v")
    f = G.function([x, v], x[v.shape[0]], mode="numba")
    np.testing.assert_array_equal(f(np.eye(3, dtype="float32"), np.ones(2, "float32")), [0, 0, 1])
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.eye(3, dtype="float32"), np.ones(3, "float32"))


def test_generated_source_is_deterministic():
    def build():
        x, i = G.matrix("x"), G.tensor("int64", (None,), name="i")
        return G.function([x, i], [S.concatenate([x[i], S.alloc(x[0], 2, x.shape[1])]), S.shape(x.T)], mode="py")

    assert generate_module(build().fgraph)[0] == generate_module(build().fgraph)[0]
