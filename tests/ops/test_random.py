"""Random ops: the generator's known answers, statistics, seeding, state updates and graph behaviour."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.ops import random as R
from symkeras.ops.reduction import sum as reduce_sum
from tests.ops.cases_random import philox_py

N = 100_000

# Random123's known-answer vectors for Philox-4x32-10: (counter, key, result)
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def _run(outputs, inputs=(), **kwargs):
    return G.function(list(inputs), outputs, **kwargs)


@pytest.mark.parametrize("ctr, key, want", PHILOX_KAT)
def test_philox_known_answers(ctr, key, want):
    got = R.philox4x32(*(np.uint64(c) for c in ctr), *(np.uint64(k) for k in key))
    assert tuple(int(w) for w in got) == want
    assert philox_py(ctr, key) == want


def test_philox_vectorised_equals_scalar():
    index = np.arange(0, 2**40, 2**33 + 12345, dtype=np.uint64)
    words = R.philox_blocks(0x0123456789ABCDEF, 2**32 + 5, index)
    for j, i in enumerate(index.tolist()):
        want = philox_py((i & 0xFFFFFFFF, i >> 32, 5, 1), (0x89ABCDEF, 0x01234567))
        assert tuple(int(w[j]) for w in words) == want


def test_uniform01_bounds_are_exact():
    top, zero = np.uint64(0xFFFFFFFF), np.uint64(0)
    assert R.uniform01_f32(top) == np.float32(1 - 2.0**-24) and R.uniform01_f32(zero) == 0
    assert R.uniform01_f64(top, top) == 1 - 2.0**-53 and R.uniform01_f64(zero, zero) == 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_statistics(dtype):
    s = R.RandomStream(1)
    x = _run(s.uniform((N,), -2.0, 3.0, dtype=dtype))()
    assert x.dtype == dtype and x.min() >= -2.0 and x.max() < 3.0
    assert abs(x.mean() - 0.5) < 0.02
    assert abs(x.std() - 5 / np.sqrt(12)) < 0.02


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_statistics(dtype):
    x = _run(R.RandomStream(2).normal((N,), 1.0, 2.0, dtype=dtype))()
    assert x.dtype == dtype
    assert abs(x.mean() - 1.0) < 0.03
    assert abs(x.std() - 2.0) < 0.03
    assert abs(np.mean(np.abs(x - 1.0) < 2.0) - 0.6827) < 0.01


def test_truncated_normal_bounds_and_spread():
    x = _run(R.RandomStream(3).truncated_normal((N,), -1.0, 0.5, dtype="float64"))()
    assert x.min() >= -2.0 and x.max() <= 0.0
    assert abs(x.mean() + 1.0) < 0.01
    assert abs(x.std() - 0.5 * 0.8796) < 0.01  # the std of a standard normal truncated at +-2
    assert np.mean(x < -1.9) > 0.005  # the whole range is used, not clipped to a narrower one


def test_bernoulli_and_binomial_frequencies():
    s = R.RandomStream(4)
    b = s.bernoulli((N,), 0.3)
    k = s.binomial((N,), 0.25, n=8, dtype="int64")
    bv, kv = _run([b, k])()
    assert bv.dtype == "float32" and set(np.unique(bv)) <= {0.0, 1.0}
    assert abs(bv.mean() - 0.3) < 0.01
    assert kv.min() >= 0 and kv.max() <= 8
    assert abs(kv.mean() - 2.0) < 0.03 and abs(kv.var() - 1.5) < 0.05


def test_seeded_streams_give_identical_draws_in_two_functions():
    a, b = R.RandomStream(42).normal((5, 3)), R.RandomStream(42).normal((5, 3))
    np.testing.assert_array_equal(_run(a)(), _run(b)())
    assert not np.array_equal(_run(R.RandomStream(43).normal((5, 3)))(), _run(R.RandomStream(42).normal((5, 3)))())


def test_function_draws_new_numbers_on_every_call():
    s = R.RandomStream(5)
    u = s.uniform((4, 4))
    f = _run(u)
    first, second = f(), f()
    assert not np.array_equal(first, second)
    state = s.states[0].get_value()
    assert state[1] == 2  # two calls, one counter value each


def test_state_advances_by_the_blocks_a_draw_consumes():
    s = R.RandomStream(6)
    _run([s.truncated_normal((3,)), s.binomial((3,), 0.5, n=5)])()
    assert [int(st.get_value()[1]) for st in s.states] == [R.TRUNCATION_ATTEMPTS, 5]


def test_two_draws_in_one_graph_differ_and_are_not_merged():
    s = R.RandomStream(7)
    a, b = s.uniform((6,)), s.uniform((6,))
    f = G.function([], [a, b])  # with the optimizer
    va, vb = f()
    assert not np.array_equal(va, vb)
    random_nodes = [n for n in f.fgraph.toposort() if isinstance(n.op, R.RandomVariable)]
    assert len(random_nodes) == 2


def test_reseeding_replays_a_stream():
    s = R.RandomStream(8)
    f = _run([s.uniform((3,)), s.normal((2,))])
    first = f()
    f()
    s.seed(8)
    replay = f()
    for x, y in zip(first, replay):
        np.testing.assert_array_equal(x, y)


def test_module_level_seed_resets_the_default_stream():
    f = _run(R.normal((4,)))
    R.seed(123)
    first = f()
    R.seed(123)
    np.testing.assert_array_equal(f(), first)


def test_unseeded_streams_differ():
    assert not np.array_equal(_run(R.RandomStream().uniform((8,)))(), _run(R.RandomStream().uniform((8,)))())


def test_symbolic_batch_size_needs_no_new_graph_and_keeps_prefixes():
    x = G.tensor("float32", (None, 4), name="x")
    mask = R.RandomStream(9).bernoulli(x.shape, 0.5)
    assert mask.type.shape == (None, 4)
    f = _run(x * mask, [x])
    assert f(np.ones((3, 4), "float32")).shape == (3, 4)
    assert f(np.ones((7, 4), "float32")).shape == (7, 4)
    # element i depends only on (key, i, counter): a larger batch extends a smaller one
    small = _run(R.RandomStream(9).bernoulli(x.shape, 0.5), [x])(np.ones((3, 4), "float32"))
    large = _run(R.RandomStream(9).bernoulli(x.shape, 0.5), [x])(np.ones((7, 4), "float32"))
    np.testing.assert_array_equal(large[:3], small)


def test_parameters_are_inputs():
    low, high = G.scalar("low", "float32"), G.scalar("high", "float32")
    s = R.RandomStream(10)
    f = _run(s.uniform((1000,), low, high), [low, high])
    x = f(5.0, 6.0)
    assert x.min() >= 5.0 and x.max() < 6.0
    y = f(-1.0, 0.0)
    assert y.min() >= -1.0 and y.max() < 0.0


def test_no_gradient_through_random_ops():
    x = G.tensor("float64", (5,), name="x")
    mask = R.RandomStream(11).bernoulli((5,), 0.5, dtype="float64")
    g = G.grad(reduce_sum(x * mask), x)
    f = _run([g, mask], [x])
    grad_value, mask_value = f(np.arange(5.0))
    np.testing.assert_array_equal(grad_value, mask_value)
    node = mask.owner
    assert node.op.grad(node.inputs, [None, None]) == [None] * len(node.inputs)
    assert node.op.differentiable is False


def test_each_draw_owns_a_state_with_a_default_update():
    s = R.RandomStream(12)
    a = s.normal((2,))
    state = a.owner.inputs[0]
    assert isinstance(state, G.Shared) and state.dtype == "uint64" and state.default_update is a.owner.outputs[0]
    assert s.normal((2,)).owner.inputs[0] is not state


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda s: s.uniform((3,), dtype="int32"), TypeError),
        (lambda s: s.normal((3,), dtype="float16"), TypeError),
        (lambda s: s.uniform((3,), low=np.zeros(2)), TypeError),
        (lambda s: s.normal((2.5,)), TypeError),
        (lambda s: s.binomial((3,), n=-1), ValueError),
        (lambda s: s.uniform(G.vector("v", "int64")), ValueError),
    ],
)
def test_bad_arguments_raise(make, error):
    with pytest.raises(error):
        make(R.RandomStream(0))


def test_negative_dimension_at_run_time():
    n = G.scalar("n", "int64")
    f = _run(R.RandomStream(0).uniform((n, 2)), [n])
    with pytest.raises(ValueError, match="negative"):
        f(-1)


def test_kernel_source_is_self_contained_and_scalar_exact():
    """The source a generated kernel pastes runs element by element and gives the numpy reference's bits."""
    decorated = []
    namespace = {"np": np, "mark": lambda fn: decorated.append(fn.__name__) or fn}
    exec(R.kernel_source(decorator="@mark"), namespace)
    assert decorated == [fn.__name__ for fn in R.KERNEL_FUNCTIONS]
    key, counter = 0xFEDCBA9876543210, 3
    index = np.array([0, 1, 2**32 + 9], dtype=np.uint64)
    words = R.philox_blocks(key, counter, index)
    k0, k1 = np.uint64(key & 0xFFFFFFFF), np.uint64(key >> 32)
    for j, i in enumerate(index):
        w = namespace["philox4x32"](i & R.MASK32, i >> R.SHIFT32, np.uint64(counter), np.uint64(0), k0, k1)
        assert tuple(w) == tuple(x[j] for x in words)
        assert namespace["uniform01_f32"](w[0]) == R.uniform01_f32(words[0])[j]
        assert namespace["std_normal"](*w) == R.std_normal(*words)[j]
