"""Placeholders, variables, constants, values, static facts, updates and uids."""
import numpy as np
import pytest

from symkeras import backend as K


def test_placeholder_records_keras_shape():
    x = K.placeholder(shape=(None, 3), name="x")
    assert K.int_shape(x) == (None, 3) and x._keras_shape == (None, 3)
    assert x._uses_learning_phase is False
    assert K.ndim(x) == 2 and K.dtype(x) == "float32"
    assert K.is_placeholder(x) and K.is_tensor(x) and not K.is_sparse(x)
    assert K.int_shape(K.placeholder(ndim=3)) == (None, None, None)
    assert K.dtype(K.placeholder(ndim=1, dtype="int32")) == "int32"
    with pytest.raises(ValueError, match="shape or ndim"):
        K.placeholder()
    with pytest.raises(ValueError, match="sparse"):
        K.placeholder(shape=(2,), sparse=True)


def test_variable_is_floatx_state_with_keras_attributes():
    constraint = object()
    v = K.variable([[1, 2], [3, 4]], name="v", constraint=constraint)
    assert K.dtype(v) == "float32" and K.int_shape(v) == (2, 2) and v.constraint is constraint
    assert K.count_params(v) == 4
    np.testing.assert_array_equal(K.get_value(v), [[1, 2], [3, 4]])
    K.set_value(v, np.ones((2, 2)))
    np.testing.assert_array_equal(K.eval(v), np.ones((2, 2)))
    with pytest.raises(ValueError):
        K.set_value(v, np.ones((3, 2)))
    assert K.dtype(K.variable(np.arange(3), dtype="int64")) == "int64"
    assert not K.is_placeholder(v)


def test_batch_get_and_set_value():
    a, b = K.variable(np.zeros(2)), K.variable(np.zeros(3))
    K.batch_set_value([(a, [1, 2]), (b, [3, 4, 5])])
    got = K.batch_get_value([a, b])
    np.testing.assert_array_equal(got[0], [1, 2])
    np.testing.assert_array_equal(got[1], [3, 4, 5])


def test_get_value_of_an_expression_is_a_type_error():
    with pytest.raises(TypeError, match="eval"):
        K.get_value(K.variable(1.0) + 1)


def test_filled_variables_and_constants():
    np.testing.assert_array_equal(K.eval(K.zeros((2, 3))), np.zeros((2, 3), "float32"))
    np.testing.assert_array_equal(K.eval(K.ones((2,), dtype="int32")), np.ones(2, "int32"))
    np.testing.assert_array_equal(K.eval(K.eye(3)), np.eye(3))
    c = K.constant(2.5, shape=(2, 2))
    assert K.int_shape(c) == (2, 2) and K.dtype(c) == "float32"
    np.testing.assert_array_equal(K.eval(c), np.full((2, 2), 2.5))
    x = K.variable(np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(K.eval(K.zeros_like(x)), np.zeros((2, 3)))
    np.testing.assert_array_equal(K.eval(K.ones_like(x, dtype="int64")), np.ones((2, 3)))
    assert K.dtype(K.ones_like(x, dtype="int64")) == "int64"


def test_identity_is_a_new_tensor_with_the_same_value():
    x = K.placeholder(shape=(None, 2))
    y = K.identity(x)
    assert y is not x and K.int_shape(y) == (None, 2)
    np.testing.assert_array_equal(K.function([x], [y])([np.ones((3, 2))])[0], np.ones((3, 2)))


def test_is_keras_tensor():
    x = K.placeholder(shape=(2,))
    assert not K.is_keras_tensor(x)
    x._keras_history = ("layer", 0, 0)
    assert K.is_keras_tensor(x)
    with pytest.raises(ValueError, match="symbolic tensor"):
        K.is_keras_tensor(np.ones(2))


def test_int_shape_falls_back_to_the_type_and_numpy():
    x = K.placeholder(shape=(None, 4))
    assert K.int_shape(K.dot(x, K.variable(np.ones((4, 5))))) == (None, 5)
    assert K.int_shape(np.ones((2, 3))) == (2, 3)


def test_shape_is_symbolic():
    x = K.placeholder(shape=(None, 4))
    np.testing.assert_array_equal(K.function([x], [K.shape(x)])([np.ones((3, 4))])[0], [3, 4])


def test_updates_are_pairs_applied_by_function():
    v = K.variable(np.ones(2))
    delta = K.placeholder(shape=(2,))
    for update, expected in [(K.update(v, delta), [3, 4]), (K.update_add(v, delta), [6, 8]),
                             (K.update_sub(v, delta), [3, 4])]:
        assert update[0] is v
        K.function([delta], [], updates=[update])([np.array([3, 4])])
        np.testing.assert_array_equal(K.get_value(v), expected)


def test_moving_average_update():
    v = K.variable(np.array([1.0, 2.0]))
    K.function([], [], updates=[K.moving_average_update(v, K.constant([3.0, 6.0]), 0.9)])([])
    np.testing.assert_allclose(K.get_value(v), [1.0 * 0.9 + 3.0 * 0.1, 2.0 * 0.9 + 6.0 * 0.1], rtol=1e-6)


def test_uids_count_per_prefix():
    K.reset_uids()
    assert [K.get_uid("dense"), K.get_uid("dense"), K.get_uid("conv"), K.get_uid()] == [1, 2, 1, 1]
    K.reset_uids()
    assert K.get_uid("dense") == 1


def test_name_scope_is_a_context_manager():
    with K.name_scope("block"):
        v = K.variable(1.0, name="w")
    assert v.name == "w"


def test_zeros_and_ones_accept_an_int_shape():
    from symkeras import backend as K

    assert K.get_value(K.zeros(3)).shape == (3,)
    assert K.get_value(K.ones(2)).tolist() == [1.0, 1.0]
