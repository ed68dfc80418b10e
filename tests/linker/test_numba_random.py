"""Random ops under mode 'numba' draw the numpy reference's bits, call after call.

Compiles are few (each costs seconds): one function holds a draw of every op and dtype,
with a symbolic batch dimension; the py-mode twin is built from the same seed.
"""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.linker.numba import compile_count
from symkeras.graph.linker.numba.codegen import generate_node_module
from symkeras.graph.linker.numba.random import helper_sources
from symkeras.ops import random as R

SEED = 1234
NAMES = [
    "uniform_f32", "uniform_f64", "uniform_f32_shared_bounds", "normal_f32", "normal_f64",
    "truncated_normal_f32", "truncated_normal_f64", "binomial_n3_int64", "bernoulli_f32",
    "bernoulli_bool", "normal_f64_scalar", "normal_f64_leading_batch",
]


def _build(mode):
    """A function of a matrix `x` whose outputs are draws of every kind, with batch dim ``x.shape[0]``."""
    x = G.matrix("x", "float32")
    n = x.shape[0]
    s = R.RandomStream(SEED)
    low = G.shared(np.float32(-2.0), name="low")
    high = G.shared(np.float32(0.5), name="high")
    outs = [
        s.uniform((n, 3), -1.0, 2.0, dtype="float32"),
        s.uniform((n, 3), dtype="float64"),
        s.uniform((n, 2), low, high, dtype="float32"),
        s.normal((n, 3), 1.0, 2.0, dtype="float32"),
        s.normal((n, 3), -0.5, 3.0, dtype="float64"),
        s.truncated_normal((n, 4), 0.0, 0.05, dtype="float32"),
        s.truncated_normal((n, 4), 2.0, 1.0, dtype="float64"),
        s.binomial((n, 3), 0.3, n=3, dtype="int64"),
        s.bernoulli((n,), 0.7, dtype="float32"),
        s.bernoulli((2, n), 0.25, dtype="bool"),
        s.normal((), dtype="float64"),
        s.normal((n, 1, 2), dtype="float64"),
    ]
    return G.function([x], outs, mode=mode), s, (low, high)


@pytest.fixture(scope="module")
def pair():
    """(numba function, its stream, its bounds), (py function, its stream, its bounds)."""
    return _build("numba"), _build("py")


def _batch(n):
    return np.zeros((n, 2), "float32")


def _states(stream):
    return [s.get_value().copy() for s in stream.states]


def _assert_same(got, want):
    for name, a, b in zip(NAMES, got, want):
        assert a.dtype == b.dtype and a.shape == b.shape, name
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert a.tobytes() == b.tobytes(), name  # bit for bit (signed zeros too)


def test_same_bits_as_py_call_after_call(pair):
    (fn, sn, _), (fp, sp, _) = pair
    previous = None
    for n in (5000, 5000, 7):  # new numbers each call; a new batch size compiles nothing new
        if previous is not None:
            before = compile_count()
        got, want = fn(_batch(n)), fp(_batch(n))
        _assert_same(got, want)
        for a, b in zip(_states(sn), _states(sp)):
            np.testing.assert_array_equal(a, b)
        if previous is not None:
            assert compile_count() == before
            if n == previous[0].shape[0]:
                for name, old, new in zip(NAMES, previous, got):
                    if name != "bernoulli_bool" and old.size > 1:
                        assert not np.array_equal(old, new), name
        previous = [g.copy() for g in got]


def test_state_advances_by_the_blocks_each_draw_consumes(pair):
    (fn, sn, _), (fp, sp, _) = pair
    before = _states(sn)
    fn(_batch(3))
    after = _states(sn)
    blocks = [s.default_update.owner.op.blocks for s in sn.states]
    assert sorted(set(blocks)) == [1, 3, R.TRUNCATION_ATTEMPTS]
    for b, a, k in zip(before, after, blocks):
        assert a[0] == b[0] and int(a[1]) == int(b[1]) + k
    fp(_batch(3))  # keep the py twin in step for the tests that follow


def test_distributions_are_plausible(pair):
    (fn, _, _), _ = pair
    out = dict(zip(NAMES, fn(_batch(20000))))
    assert 0.45 < out["uniform_f64"].mean() < 0.55 and out["uniform_f64"].min() >= 0.0 and out["uniform_f64"].max() < 1.0
    assert -1.0 <= out["uniform_f32"].min() and out["uniform_f32"].max() < 2.0
    assert -2.0 <= out["uniform_f32_shared_bounds"].min() and out["uniform_f32_shared_bounds"].max() < 0.5
    assert abs(out["normal_f64"].mean() + 0.5) < 0.1 and abs(out["normal_f64"].std() - 3.0) < 0.1
    assert abs(out["normal_f32"].std() - 2.0) < 0.1
    t = out["truncated_normal_f64"]
    assert t.min() >= 0.0 and t.max() <= 4.0 and abs(t.std() - 0.88) < 0.05  # std of N(0,1) cut at ±2
    assert np.abs(out["truncated_normal_f32"]).max() <= np.float32(0.1)
    assert set(np.unique(out["binomial_n3_int64"])) == {0, 1, 2, 3} and abs(out["binomial_n3_int64"].mean() - 0.9) < 0.05
    assert abs(out["bernoulli_f32"].mean() - 0.7) < 0.02 and abs(out["bernoulli_bool"].mean() - 0.25) < 0.02


def test_reseeding_replays_and_shared_params_need_no_recompile(pair):
    (fn, sn, (low, high)), (fp, sp, (lowp, highp)) = pair
    sn.seed(99)
    sp.seed(99)
    first = fn(_batch(64))
    _assert_same(first, fp(_batch(64)))
    sn.seed(99)
    before = compile_count()
    low.set_value(np.float32(10.0))
    high.set_value(np.float32(11.0))
    again = fn(_batch(64))
    assert compile_count() == before
    for name, a, b in zip(NAMES, first, again):
        if name != "uniform_f32_shared_bounds":
            np.testing.assert_array_equal(a, b, err_msg=name)
    bounded = again[NAMES.index("uniform_f32_shared_bounds")]
    assert bounded.min() >= 10.0 and bounded.max() < 11.0
    low.set_value(np.float32(-2.0))
    high.set_value(np.float32(0.5))


def test_counter_wraps_like_the_reference(pair):
    (fn, sn, _), (fp, sp, _) = pair
    for stream in (sn, sp):
        for k, s in enumerate(stream.states):
            s.set_value(np.array([R.derive_key(5, k), 2**64 - 2], dtype=np.uint64))
    _assert_same(fn(_batch(300)), fp(_batch(300)))
    for a, b in zip(_states(sn), _states(sp)):
        np.testing.assert_array_equal(a, b)
    assert int(sn.states[NAMES.index("truncated_normal_f32")].get_value()[1]) == R.TRUNCATION_ATTEMPTS - 2


def test_empty_batch(pair):
    (fn, _, _), (fp, _, _) = pair
    _assert_same(fn(_batch(0)), fp(_batch(0)))


def test_negative_dimension_raises():
    x = G.matrix("x", "float32")
    f = G.function([x], R.RandomStream(0).normal((x.shape[0] - 5, 2)), mode="numba")
    with pytest.raises(ValueError, match="negative"):
        f(_batch(2))
    assert f(_batch(6)).shape == (1, 2)


def test_scalar_inputs_as_dimension_and_parameters():
    def build(mode):
        n, mean = G.scalar("n", "int64"), G.scalar("mean", "float64")
        s = R.RandomStream(3)
        return G.function([n, mean], [s.uniform((n, 2), dtype="float32"), s.normal((2, n), mean, 2.0, dtype="float64")],
                          mode=mode)

    fn, fp = build("numba"), build("py")
    for n in (4, 9):
        for a, b in zip(fn(n, 1.5), fp(n, 1.5)):
            assert a.tobytes() == b.tobytes() and a.shape == b.shape


def test_generated_source_is_deterministic_and_has_no_globals():
    def graph():
        x = G.matrix("x")
        s = R.RandomStream(0)
        outs = [s.normal((x.shape[0], 2)), s.bernoulli((3,), 0.5)]
        return FunctionGraph([x], [*outs, *(st.default_update for st in s.states)])

    a, b = (generate_node_module(graph().toposort()) for _ in range(2))  # every draw's code, helpers included
    assert a == b
    for name in R.KERNEL_CONSTANTS:
        assert name not in a  # constants are literals inside the helpers
    # Philox is inlined into each draw's loop (which then vectorizes); Box-Muller is compiled once and called
    assert a.count("def rng_philox4x32(") == 1 and a.count("def rng_std_normal(") == 1
    assert "@njit(inline='always', cache=True)\ndef rng_philox4x32(" in a
    assert "@njit(cache=True)\ndef rng_std_normal(" in a
    assert "np.log(" not in a and "np.cos(" not in a and "math." not in a  # no libm in the normals


def test_helpers_are_the_reference_functions():
    """The pasted helpers, run by plain Python on numpy scalars, reproduce the numpy reference's bits."""
    ns = {"np": np, "njit": lambda *a, **k: (lambda f: f)}
    for source in helper_sources().values():
        exec(source, ns)
    key, counter = 0x0123456789ABCDEF, 2**64 - 1
    index = np.array([0, 7, 2**32 + 3], dtype=np.uint64)
    words = R.philox_blocks(key, counter, index)
    k0, k1 = np.uint64(key & 0xFFFFFFFF), np.uint64(key >> 32)
    for j, i in enumerate(index):
        w = ns["rng_philox4x32"](i & R.MASK32, i >> R.SHIFT32, np.uint64(counter & 0xFFFFFFFF),
                                 np.uint64(counter >> 32), k0, k1)
        assert tuple(w) == tuple(x[j] for x in words)
        assert ns["rng_std_normal"](*w) == R.std_normal(*words)[j]


def test_reference_log_and_cos_are_accurate():
    """`log_f64` / `cos_2pi` (the bit-reproducible Box-Muller pieces) are within about 1 ulp."""
    rng = np.random.default_rng(0)
    j = np.concatenate([rng.integers(0, 2**53, 200000, dtype=np.uint64), np.arange(64, dtype=np.uint64),
                        np.uint64(2**53) - np.arange(1, 64, dtype=np.uint64)])
    u = j.astype(np.float64) * 2.0**-53
    x = 1.0 - u
    ref = np.log(x)
    np.testing.assert_array_less(np.abs(R.log_f64(x) - ref), 1.01 * np.spacing(np.abs(ref)) + 1e-300)
    assert R.log_f64(np.float64(1.0)) == 0.0
    quarter = np.array([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1 - 2.0**-53])
    np.testing.assert_allclose(R.cos_2pi(quarter), np.cos(2 * np.pi * quarter), atol=2e-16)
    np.testing.assert_allclose(R.cos_2pi(u), np.cos(2 * np.pi * u), rtol=0, atol=1e-15)
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.prec = 100
    for v in u[:300]:  # cos(2 pi u) itself (not cos(fl(2 pi) * u)): within 1 ulp of 1
        exact = float(mpmath.cos(2 * mpmath.pi * mpmath.mpf(float(v))))
        assert abs(float(R.cos_2pi(v)) - exact) <= 2.0**-53
