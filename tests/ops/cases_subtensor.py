"""Cases for indexing (Subtensor, AdvancedSubtensor) and set/inc_subtensor (IncSubtensor, AdvancedIncSubtensor)."""
import numpy as np

from symkeras.ops.subtensor import inc_subtensor, set_subtensor
from tests.ops.cases import Case, rng

r = rng(3)


def _floats(*shape):
    return r.uniform(-2.0, 2.0, shape)


def _index_case(id, index, shape, **kwargs):
    """``x[index]`` on a float tensor of `shape`, against numpy's answer."""
    return Case(id, lambda x: x[index], [_floats(*shape)], lambda x: x[index], **kwargs)


def _set_ref(index):
    def ref(x, y):
        out = x.copy()
        out[index] = y
        return out

    return ref


def _inc_ref(index):
    def ref(x, y):
        out = x.copy()
        np.add.at(out, index, y)
        return out

    return ref


def _write_case(id, index, x_shape, y_shape, set_instead_of_inc, **kwargs):
    """``set_subtensor(x[index], y)`` or ``inc_subtensor(...)`` against numpy's answer."""
    write, ref = (set_subtensor, _set_ref) if set_instead_of_inc else (inc_subtensor, _inc_ref)
    return Case(id, lambda x, y: write(x[index], y), [_floats(*x_shape), _floats(*y_shape)], ref(index), **kwargs)


CASES = [
    # basic indexing
    _index_case("index_int", 1, (3, 4)),
    _index_case("index_negative", (-1, -2), (3, 4)),
    _index_case("index_to_scalar", (1, 2), (3, 4)),
    _index_case("index_slice", slice(1, 3), (4, 2)),
    _index_case("index_reverse", (slice(None), slice(None, None, -1)), (2, 3)),
    _index_case("index_step", (slice(None, None, 2), slice(1, None)), (5, 3)),
    _index_case("index_newaxis", (slice(None), None, 1), (2, 3)),
    _index_case("index_ellipsis", (Ellipsis, 0), (2, 3, 4)),
    _index_case("index_ellipsis_newaxis", (None, Ellipsis, None), (2, 3)),
    _index_case("index_full", slice(None), (2, 3)),
    _index_case("index_empty_slice", slice(2, 1), (3, 2), grad=False),
    _index_case("index_zero_size_dim", (slice(None), 1), (0, 3), grad=False),
    _index_case("index_out_of_range_slice", slice(1, 10), (3,)),
    _index_case("index_unknown", (slice(1, None), -1), (3, 4), input_shapes=[(None, None)]),
    Case("index_symbolic_int", lambda x, i: x[i], [_floats(3, 2), np.int64(2)], lambda x, i: x[i]),
    Case("index_symbolic_bounds", lambda x, i, j: x[i:j, ::-1], [_floats(5, 2), np.int64(1), np.int64(-1)],
         lambda x, i, j: x[i:j, ::-1], input_shapes=[(None, 2), (), ()]),
    Case("index_int_tensor", lambda x: x[1:], [np.arange(6).reshape(3, 2)], lambda x: x[1:], grad=False),
    # advanced indexing
    _index_case("adv_rows_repeated", [0, 2, 0], (3, 2)),
    _index_case("adv_cols", (slice(None), [1, 0]), (2, 3)),
    _index_case("adv_pairs", ([0, 1], [2, 1]), (2, 3)),
    _index_case("adv_broadcast", ([[0], [1]], [2, 1, 0]), (2, 3)),
    _index_case("adv_separated", (0, slice(None), [1, 2]), (2, 3, 4)),
    _index_case("adv_int_and_array", (slice(None), 1, [0, 0, 2]), (2, 3, 4)),
    _index_case("adv_matrix_index", np.array([[0, 1], [1, 1]]), (2, 3)),
    _index_case("adv_negative", (slice(None), [-1, 0]), (2, 3)),
    _index_case("adv_newaxis", (None, [1, 0]), (2, 3)),
    _index_case("adv_empty", ([],), (3, 2), grad=False),
    _index_case("adv_unknown", (slice(None), [2, 0]), (2, 3), input_shapes=[(None, None)]),
    Case("adv_symbolic_indices", lambda w, i: w[i], [_floats(5, 3), np.array([[4, 0], [0, 2]])],
         lambda w, i: w[i], input_shapes=[(None, 3), (None, None)]),
    Case("adv_int_tensor", lambda x, i: x[i], [np.arange(5), np.array([3, 3, 1])], lambda x, i: x[i], grad=False),
    # set_subtensor / inc_subtensor, basic
    _write_case("set_slice", slice(1, 3), (4, 2), (2, 2), True),
    _write_case("set_int_broadcast", 1, (3, 4), (), True),
    _write_case("set_row_broadcast", (slice(None), slice(0, 2)), (3, 4), (1, 2), True),
    _write_case("inc_column", (slice(None), 0), (3, 4), (3,), False),
    _write_case("inc_scalar_position", (1, 2), (3, 4), (), False),
    Case("inc_newaxis", lambda x, y: inc_subtensor(x[None, 1], y), [_floats(3, 2), _floats(1, 2)],
         lambda x, y: x + np.array([[0.0], [1.0], [0.0]]) * y),
    _write_case("set_empty", slice(3, None), (3, 2), (0, 2), True, grad=False),
    _write_case("inc_unknown", (slice(1, None),), (3, 2), (2,), False, input_shapes=[(None, 2), (2,)]),
    Case("set_symbolic_int", lambda x, y, i: set_subtensor(x[i], y), [_floats(3, 2), _floats(2), np.int64(-1)],
         lambda x, y, i: _set_ref(i)(x, y)),
    Case("inc_int_tensor", lambda x: inc_subtensor(x[1:], 5), [np.arange(4)], lambda x: x + np.array([0, 5, 5, 5]),
         grad=False),
    # set_subtensor / inc_subtensor, advanced
    _write_case("inc_adv_repeated", [0, 2, 0], (3, 2), (3, 2), False),
    _write_case("inc_adv_broadcast", (slice(None), [1, 1]), (2, 3), (2, 1), False),
    _write_case("set_adv_rows", [2, 0], (3, 2), (2, 2), True),
    _write_case("set_adv_pairs", ([0, 1], [2, 0]), (2, 3), (), True),
    _write_case("inc_adv_separated", (0, slice(None), [1, 2]), (2, 3, 4), (2, 3), False),
    Case("inc_adv_symbolic", lambda x, y, i: inc_subtensor(x[i], y),
         [_floats(4, 2), _floats(3, 2), np.array([3, 3, 0])],
         lambda x, y, i: _inc_ref(i)(x, y), input_shapes=[(None, 2), (None, 2), (None,)]),
]
