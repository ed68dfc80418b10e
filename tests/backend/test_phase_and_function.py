"""The learning phase, in_train_phase / in_test_phase, K.function, gradients, stop_gradient, eval."""
import io

import numpy as np
import pytest

from symkeras import backend as K
from symkeras.backend import phase
from tests.backend.helpers import randn


@pytest.fixture(autouse=True)
def dynamic_learning_phase():
    saved = dict(phase._phase)
    yield
    phase._phase.update(saved)


def test_learning_phase_is_one_symbolic_uint8_scalar():
    lp = K.learning_phase()
    assert lp is K.learning_phase() and lp.name == "keras_learning_phase"
    assert K.dtype(lp) == "uint8" and K.ndim(lp) == 0


def test_in_train_phase_selects_by_the_learning_phase_input():
    x = K.placeholder(shape=(None, 2))
    out = K.in_train_phase(x * 2, x * 3)
    assert out._uses_learning_phase is True
    f = K.function([x, K.learning_phase()], [out])
    data = np.ones((3, 2))
    np.testing.assert_array_equal(f([data, 1])[0], data * 2)
    np.testing.assert_array_equal(f([data, 0])[0], data * 3)
    test_out = K.in_test_phase(x * 2, lambda: x * 3)
    g = K.function([x, K.learning_phase()], [test_out])
    np.testing.assert_array_equal(g([data, 0])[0], data * 2)
    np.testing.assert_array_equal(g([data, 1])[0], data * 3)


def test_in_train_phase_with_a_static_training_argument():
    x, alt = K.placeholder(shape=(2,)), K.placeholder(shape=(2,))
    assert K.in_train_phase(x, alt, training=1) is x
    assert K.in_train_phase(x, alt, training=False) is alt
    assert K.in_train_phase(lambda: x, alt, training=True) is x
    flag = K.placeholder(shape=(), dtype="bool")
    out = K.in_train_phase(x, alt, training=flag)
    assert not getattr(out, "_uses_learning_phase", False)
    np.testing.assert_array_equal(K.function([x, alt, flag], [out])([[1, 2], [3, 4], True])[0], [1, 2])


def test_set_learning_phase_fixes_it_statically():
    K.set_learning_phase(0)
    assert K.learning_phase() == 0
    x, alt = K.placeholder(shape=(2,)), K.placeholder(shape=(2,))
    assert K.in_train_phase(x, alt) is alt
    K.set_learning_phase(1)
    assert K.in_train_phase(x, alt) is x
    with pytest.raises(ValueError, match="0 or 1"):
        K.set_learning_phase(2)


def test_clear_session_resets_uids_and_the_learning_phase():
    K.set_learning_phase(1)
    K.get_uid("dense")
    old = phase._phase["symbolic"]
    K.clear_session()
    assert K.get_uid("dense") == 1
    assert K.learning_phase() is not old and K.learning_phase().name == "keras_learning_phase"


def test_function_returns_a_list_and_casts_inputs():
    x = K.placeholder(shape=(None, 3))
    labels = K.placeholder(shape=(None,), dtype="int32")
    f = K.function([x, labels], [K.sum(x, axis=1), labels * 2])
    out = f([np.ones((2, 3), "float64"), np.array([1.0, 2.0])])
    assert isinstance(out, list) and out[0].dtype == np.float32 and out[1].dtype == np.int32
    np.testing.assert_array_equal(out[1], [2, 4])
    with pytest.raises(TypeError, match="list of arrays"):
        f(np.ones((2, 3)))
    with pytest.raises(ValueError, match="expected 2 input arrays"):
        f([np.ones((2, 3))])


def test_function_applies_updates_given_as_pairs_and_lists():
    v, w = K.variable(np.zeros(2)), K.variable(1.0)
    x = K.placeholder(shape=(2,))
    f = K.function([x], [v * 1], updates=[K.update_add(v, x), [K.update(w, w * 2)], K.update(w, w * 5)])
    first = f([np.array([1.0, 2.0])])[0]
    np.testing.assert_array_equal(first, [0, 0])
    f([np.array([1.0, 2.0])])
    np.testing.assert_array_equal(K.get_value(v), [2, 4])
    assert K.get_value(w) == 4.0  # the first update of w wins, as in Keras's Theano backend


def test_function_passes_mode_and_rejects_unknown_arguments():
    x = K.placeholder(shape=(2,))
    f = K.function([x], [x + 1], mode="py", optimizer=None, name="plus_one")
    assert f.function.mode == "py"
    np.testing.assert_array_equal(f([[1, 2]])[0], [2, 3])
    with pytest.raises(ValueError, match='Invalid argument "session"'):
        K.function([x], [x], session=None)


def test_compile_passes_profile_to_the_training_function():
    from symkeras.layers import Dense
    from symkeras.models import Sequential

    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile("sgd", "mse", profile=True)
    for _ in range(2):  # the first call (compilation) is kept out of the table
        model.train_on_batch(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"))
    assert "DotBias" in model.train_function.function.profile(file=io.StringIO())


def test_function_names_a_missing_input():
    x, y = K.placeholder(shape=(2,), name="x"), K.placeholder(shape=(2,), name="y")
    with pytest.raises(ValueError, match="K.function: .*y"):
        K.function([x], [x + y])


def test_gradients_against_numpy():
    w = K.variable(randn(3, 2))
    x = K.placeholder(shape=(None, 3))
    unused = K.variable(np.ones(2))
    loss = K.sum(K.square(K.dot(x, w)))
    grads = K.gradients(loss, [w, unused])
    assert grads[1] is None
    data = randn(4, 3, seed=1)
    (g,) = K.function([x], [grads[0]])([data])
    np.testing.assert_allclose(g, 2 * data.T @ (data @ K.get_value(w)), rtol=1e-5)
    (g_vector,) = K.function([x], K.gradients(K.dot(x, w), [w]))([data])
    np.testing.assert_allclose(g_vector, data.T @ np.ones((4, 2)), rtol=1e-5)


def test_stop_gradient():
    w = K.variable(np.array([1.0, 2.0]))
    loss = K.sum(w * K.stop_gradient(w))
    (g,) = K.function([], K.gradients(loss, [w]))([])
    np.testing.assert_array_equal(g, [1, 2])
    assert isinstance(K.stop_gradient([w, w]), list)


def test_eval():
    np.testing.assert_array_equal(K.eval(K.constant([1, 2]) * 2), [2, 4])
    np.testing.assert_array_equal(K.eval(K.constant([1, 2])), [1, 2])
    with pytest.raises(ValueError, match="K.eval"):
        K.eval(K.placeholder(shape=(2,)) * 2)
