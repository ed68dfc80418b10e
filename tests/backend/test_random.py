"""Random draws: statistics, seeding, `set_random_seed` and random variables."""
import numpy as np
import pytest

from symkeras import backend as K

N = 20000


def draw(tensor):
    return K.function([], [tensor])([])[0]


def test_random_uniform_statistics():
    out = draw(K.random_uniform((N,), -1.0, 3.0))
    assert out.dtype == np.float32 and out.min() >= -1 and out.max() < 3
    assert abs(out.mean() - 1.0) < 0.05 and abs(out.var() - 16 / 12) < 0.05


def test_random_normal_and_truncated_normal_statistics():
    out = draw(K.random_normal((N,), mean=2.0, stddev=0.5))
    assert abs(out.mean() - 2.0) < 0.02 and abs(out.std() - 0.5) < 0.02
    trunc = draw(K.truncated_normal((N,), mean=1.0, stddev=2.0))
    assert np.abs(trunc - 1.0).max() <= 4.0
    assert abs(trunc.std() - 2.0 * 0.8796) < 0.05  # std of a standard normal truncated at +-2


def test_random_binomial_statistics():
    out = draw(K.random_binomial((N,), p=0.3))
    assert set(np.unique(out)) <= {0.0, 1.0} and abs(out.mean() - 0.3) < 0.02


def test_symbolic_shape():
    x = K.placeholder(shape=(None, 3))
    out = K.function([x], [K.random_normal(K.shape(x))])([np.zeros((5, 3))])[0]
    assert out.shape == (5, 3)


def test_seedless_draws_change_at_every_call():
    f = K.function([], [K.random_uniform((10,))])
    assert not np.array_equal(f([])[0], f([])[0])


@pytest.mark.parametrize("make", [
    lambda seed: K.random_uniform((50,), seed=seed), lambda seed: K.random_normal((50,), seed=seed),
    lambda seed: K.truncated_normal((50,), seed=seed), lambda seed: K.random_binomial((50,), 0.5, seed=seed),
])
def test_a_seed_makes_a_draw_reproducible(make):
    a, b, c = draw(make(7)), draw(make(7)), draw(make(8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_set_random_seed_replays_draws_initializers_and_numpy():
    def run_program():
        K.set_random_seed(123)
        weights = K.random_normal_variable((3, 3), 0.0, 1.0)
        mask = K.function([], [K.dropout(K.ones((40,)), 0.5)])
        return K.get_value(weights), mask([])[0], mask([])[0], K.numpy_rng().normal(size=3), np.random.rand(2)

    first, second = run_program(), run_program()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], first[2])


def test_set_random_seed_rekeys_earlier_draws():
    f = K.function([], [K.random_uniform((10,))])
    K.set_random_seed(5)
    a = f([])[0]
    K.set_random_seed(5)
    np.testing.assert_array_equal(f([])[0], a)


def test_random_variables():
    v = K.random_uniform_variable((200, 50), -2.0, 2.0, seed=1)
    value = K.get_value(v)
    assert value.dtype == np.float32 and value.min() >= -2 and value.max() < 2 and abs(value.mean()) < 0.05
    np.testing.assert_array_equal(K.get_value(K.random_uniform_variable((200, 50), -2.0, 2.0, seed=1)), value)
    n = K.get_value(K.random_normal_variable((200, 50), 1.0, 3.0, dtype="float64", name="n"))
    assert n.dtype == np.float64 and abs(n.mean() - 1.0) < 0.1 and abs(n.std() - 3.0) < 0.1
