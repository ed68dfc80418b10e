"""Static shapes, errors and edge cases of indexing and set/inc_subtensor (values: see cases_subtensor.py)."""
import numpy as np
import pytest

from symkeras.graph import function, grad, tensor
from symkeras.ops.subtensor import (
    AdvancedIncSubtensor, AdvancedSubtensor, IncSubtensor, Subtensor, inc_subtensor, set_subtensor,
)


def _eval(inputs, output, *values):
    return function(inputs, output, mode="py", optimizer=None)(*values)


X = tensor("float32", (None, 5, 4), name="x")
I = tensor("int64", (), name="i")


@pytest.mark.parametrize("index, static", [
    (0, (5, 4)),
    (slice(1, 3), (None, 5, 4)),
    ((slice(None), slice(1, 3)), (None, 2, 4)),
    ((slice(None), slice(None, None, -1)), (None, 5, 4)),
    ((slice(None), slice(None, None, 2), -1), (None, 3)),
    ((Ellipsis, slice(10, None)), (None, 5, 0)),
    ((None, Ellipsis, None), (1, None, 5, 4, 1)),
    ((slice(None), slice(I, None)), (None, None, 4)),
    ((0, I), (4,)),
    ((slice(None), [0, 1, 1]), (None, 3, 4)),
    (([0, 1], slice(None), [1, 2]), (2, 5)),  # separated by a slice: the index block goes first
    ((slice(None), [[0], [1]], [1, 2, 3]), (None, 2, 3)),
    ((slice(None), 0, [1, 2]), (None, 2)),
    ((0, slice(None), [1, 2]), (2, 5)),
])
def test_static_shapes(index, static):
    assert X[index].type.shape == static


def test_static_shape_matches_numpy_for_known_shapes():
    x = tensor("float32", (2, 5, 4))
    value = np.zeros((2, 5, 4), "float32")
    for index in [(slice(-3, None), 1), (slice(None), [4, 0], slice(1, 3)), (1, [0, 1], [2, 3]), (Ellipsis, [0])]:
        assert x[index].type.shape == value[index].shape


def test_shape_of_known_dims_is_static():
    y = X.shape[1]
    assert y.type.shape == () and _eval([X], y, np.zeros((2, 5, 4), "float32")) == 5


@pytest.mark.parametrize("index, error, match", [
    ((0, 0, 0, 0), IndexError, r"too many indices \(4\).*\(None, 5, 4\)"),
    ((Ellipsis, 0, Ellipsis), IndexError, "one ellipsis"),
    ((slice(None), 5), IndexError, r"Subtensor.*index 5 is out of bounds for axis 1.*\(None, 5, 4\)"),
    ((slice(None), [0, -6]), IndexError, r"AdvancedSubtensor.*out of bounds for axis 1"),
    (1.5, TypeError, "must be an int"),
    (np.array([True, False]), TypeError, "boolean masks"),
    (slice(None, None, 0), ValueError, "step cannot be zero"),
    (tensor("float32", ()), TypeError, "must be an int"),
    (slice(tensor("int64", (2,)), None), TypeError, "must be an int"),
])
def test_index_errors(index, error, match):
    with pytest.raises(error, match=match):
        X[index]


def test_ops_print_their_index_and_compare_by_it():
    j = tensor("int64", ())
    assert str(X[1:3, I].owner.op) == "Subtensor{1:3, ?}"
    assert str(X[::2, [0, 1]].owner.op) == "AdvancedSubtensor{::2, [?]}"
    assert X[1:, I].owner.op == X[1:, j].owner.op
    assert hash(X[1:, I].owner.op) == hash(X[1:, j].owner.op)
    assert X[1:].owner.op != X[2:].owner.op
    assert str(set_subtensor(X[0], 1.0).owner.op) == "IncSubtensor{set, 0}"


def test_basic_index_is_a_view_and_advanced_a_copy():
    assert Subtensor.view_map == {0: [0]}
    assert not AdvancedSubtensor.view_map
    with pytest.raises(ValueError, match="integer array"):
        Subtensor(("A",))
    with pytest.raises(ValueError, match="integer array"):
        AdvancedIncSubtensor((0,))


def test_set_subtensor_errors():
    x = tensor("float32", (3, 4))
    with pytest.raises(TypeError, match="set_subtensor: the first argument must be an indexed tensor"):
        set_subtensor(x, 1.0)
    with pytest.raises(ValueError, match=r"IncSubtensor.*\(3,\).*\(2, 4\).*\(3, 4\)"):
        set_subtensor(x[1:], tensor("float32", (3,)))
    with pytest.raises(ValueError, match=r"AdvancedIncSubtensor.*\(2, 2\)"):
        inc_subtensor(x[[0, 1]], tensor("float32", (2, 2)))
    with pytest.raises(TypeError, match="inc_subtensor: cannot write float32 values into a tensor of dtype int64"):
        inc_subtensor(tensor("int64", (3,))[0], tensor("float32", ()))
    with pytest.raises(TypeError, match="IncSubtensor.*dtype"):
        IncSubtensor((0,))(x, tensor("float64", (4,)))


def test_set_subtensor_casts_safe_values():
    x = tensor("float32", (3,))
    out = set_subtensor(x[1:], tensor("int8", (2,)))
    assert out.type == x.type
    np.testing.assert_array_equal(_eval([x], set_subtensor(x[1:], 7), np.zeros(3, "float32")), [0, 7, 7])


def test_writes_reject_runtime_broadcast_of_an_unknown_dim():
    x, y = tensor("float32", (3, 2)), tensor("float32", (None, 2))
    f = function([x, y], inc_subtensor(x[:], y), mode="py", optimizer=None)
    with pytest.raises(ValueError, match="not known to be 1"):
        f(np.zeros((3, 2), "float32"), np.ones((1, 2), "float32"))


def test_writes_do_not_touch_the_input():
    x = tensor("float64", (3,))
    value = np.zeros(3)
    _eval([x], set_subtensor(x[[0, 2]], 1.0), value)
    _eval([x], inc_subtensor(x[1:], 1.0), value)
    np.testing.assert_array_equal(value, 0)


def test_gradient_of_repeated_indices_accumulates():
    x = tensor("float64", (3,))
    g = grad(x[[0, 0, 2, 0]].sum(), x)
    np.testing.assert_array_equal(_eval([x], g, np.zeros(3)), [3, 0, 1])


def test_gradients_of_set_subtensor():
    x, y = tensor("float64", (4,)), tensor("float64", ())
    gx, gy = grad((set_subtensor(x[1:3], y) * np.arange(1.0, 5.0)).sum(), [x, y])
    got = _eval([x, y], [gx, gy], np.zeros(4), 0.0)
    np.testing.assert_array_equal(got[0], [1, 0, 0, 4])
    assert got[1] == 5.0


def test_index_inputs_get_no_gradient():
    x, i = tensor("float64", (3, 2)), tensor("int64", (2,))
    node = x[i].owner
    grads = node.op.grad(node.inputs, [tensor("float64", (2, 2))])
    assert grads[1] is None
    node = inc_subtensor(x[I], 1.0).owner
    assert node.op.grad(node.inputs, [tensor("float64", (3, 2))])[2] is None


def test_inc_with_newaxis_keeps_the_shape_of_x():
    x = tensor("float32", (None, 2))
    assert inc_subtensor(x[None, 1:], 1.0).type.shape == (None, 2)
    got = _eval([x], set_subtensor(x[None, 1:], 1.0), np.zeros((2, 2), "float32"))
    np.testing.assert_array_equal(got, [[0, 0], [1, 1]])


def test_symbolic_index_out_of_range_at_run_time():
    f = function([X, I], X[:, I], mode="py", optimizer=None)
    with pytest.raises(IndexError, match="Subtensor"):
        f(np.zeros((1, 5, 4), "float32"), 5)


def test_every_index_op_is_registered():
    from symkeras.graph.basic import OP_REGISTRY

    for op in (Subtensor, AdvancedSubtensor, IncSubtensor, AdvancedIncSubtensor):
        assert OP_REGISTRY[op.__name__] is op
    assert "_Indexing" not in OP_REGISTRY and "_IndexOp" not in OP_REGISTRY
