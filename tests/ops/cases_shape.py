"""Cases for the shape ops (Shape, Alloc, Reshape, DimShuffle, Concatenate) and the functions built on them."""
import numpy as np

from symkeras.ops import shape as S
from tests.ops.cases import Case, rng

r = rng(2)


def _floats(*shape):
    return r.uniform(-2.0, 2.0, shape)


def _ints(*shape, high=3):
    return r.integers(0, high, shape)


def _shape_ref(x):
    return np.array(x.shape, dtype="int64")


CASES = [
    # Shape
    Case("shape_matrix", S.shape, [_floats(2, 3)], _shape_ref, grad=False),
    Case("shape_empty", S.shape, [_floats(0, 4)], _shape_ref, grad=False),
    Case("shape_scalar", S.shape, [_floats()], _shape_ref, grad=False),
    Case("shape_unknown", S.shape, [_ints(2, 5)], _shape_ref, grad=False, input_shapes=[(None, None)]),
    Case("shape_index", lambda x: x.shape[-1], [_floats(2, 3)], lambda x: np.int64(x.shape[-1]), grad=False,
         input_shapes=[(2, None)]),
    # Alloc
    Case("alloc_scalar", lambda v: S.alloc(v, 2, 3), [_floats()], lambda v: np.full((2, 3), v)),
    Case("alloc_broadcast_row", lambda v: S.alloc(v, 4, 3), [_floats(3)], lambda v: np.tile(v, (4, 1))),
    Case("alloc_broadcast_col", lambda v: S.alloc(v, 2, 4, 3), [_floats(4, 1)],
         lambda v: np.broadcast_to(v, (2, 4, 3))),
    Case("alloc_zero_size", lambda v: S.alloc(v, 0, 3), [_floats()], lambda v: np.full((0, 3), v), grad=False),
    Case("alloc_symbolic_dims", lambda v, m: S.alloc(v, m.shape[0], 2), [_floats(), _ints(5, 3)],
         lambda v, m: np.full((5, 2), v), input_shapes=[(), (None, 3)]),
    Case("alloc_int", lambda v: S.alloc(v, 3), [np.int64(7)], lambda v: np.full(3, v), grad=False),
    Case("zeros_like_unknown", lambda x: x + S.alloc(np.float64(1.0), x.shape[0], 1), [_floats(4, 3)],
         lambda x: x + 1.0, input_shapes=[(None, 3)]),
    # Reshape
    Case("reshape_matrix", lambda x: S.reshape(x, (6, 4)), [_floats(2, 3, 4)], lambda x: x.reshape(6, 4)),
    Case("reshape_minus1", lambda x: S.reshape(x, (4, -1)), [_floats(2, 3, 4)], lambda x: x.reshape(4, -1)),
    Case("reshape_to_vector", lambda x: x.reshape(-1), [_floats(2, 3)], lambda x: x.reshape(-1)),
    Case("reshape_to_scalar", lambda x: S.reshape(x, ()), [_floats(1, 1)], lambda x: x.reshape(())),
    Case("reshape_from_scalar", lambda x: S.reshape(x, (1, 1, 1)), [_floats()], lambda x: x.reshape(1, 1, 1)),
    Case("reshape_empty", lambda x: S.reshape(x, (3, -1)), [_floats(0, 3)], lambda x: x.reshape(3, -1), grad=False),
    Case("reshape_unknown_batch", lambda x: S.reshape(x, (-1, 2)), [_floats(4, 3)], lambda x: x.reshape(-1, 2),
         input_shapes=[(None, 3)]),
    Case("reshape_like", lambda x, y: S.reshape(x, S.shape(y)), [_floats(2, 6), _ints(3, 4)],
         lambda x, y: x.reshape(y.shape), input_shapes=[(None, 6), (None, 4)]),
    Case("reshape_symbolic_dims", lambda x, y: S.reshape(x, (y.shape[0], y.shape[0], -1)), [_floats(3, 4, 2), _ints(2)],
         lambda x, y: x.reshape(2, 2, -1)),
    Case("flatten_1", S.flatten, [_floats(2, 3, 4)], lambda x: x.reshape(-1)),
    Case("flatten_2_unknown", lambda x: S.flatten(x, 2), [_floats(2, 3, 4)], lambda x: x.reshape(2, -1),
         input_shapes=[(None, 3, 4)]),
    Case("flatten_3", lambda x: x.flatten(3), [_floats(2, 3, 1, 2)], lambda x: x.reshape(2, 3, 2)),
    # DimShuffle and the functions built on it
    Case("transpose_matrix", lambda x: x.T, [_floats(2, 3)], lambda x: x.T),
    Case("transpose_axes", lambda x: S.transpose(x, (1, -1, 0)), [_floats(2, 3, 4)], lambda x: x.transpose(1, 2, 0)),
    Case("transpose_empty", S.transpose, [_floats(0, 3)], np.transpose, grad=False),
    Case("dimshuffle_new_axes", lambda x: x.dimshuffle("x", 1, "x", 0), [_floats(2, 3)],
         lambda x: x.T[None, :, None, :]),
    Case("dimshuffle_drop", lambda x: x.dimshuffle(1, 0), [_floats(3, 4, 1)], lambda x: x[:, :, 0].T),
    Case("dimshuffle_unknown", lambda x: x.dimshuffle(1, "x", 0), [_floats(4, 3)], lambda x: x.T[:, None, :],
         input_shapes=[(None, 3)]),
    Case("dimshuffle_scalar", lambda x: x.dimshuffle("x", "x"), [_floats()], lambda x: x.reshape(1, 1)),
    Case("expand_dims", lambda x: S.expand_dims(x, -1), [_floats(2, 3)], lambda x: np.expand_dims(x, -1)),
    Case("expand_dims_many", lambda x: S.expand_dims(x, (0, 2)), [_floats(3)], lambda x: np.expand_dims(x, (0, 2))),
    Case("squeeze_all", S.squeeze, [_floats(1, 3, 1)], np.squeeze),
    Case("squeeze_axis", lambda x: S.squeeze(x, -1), [_floats(1, 3, 1)], lambda x: np.squeeze(x, -1)),
    Case("squeeze_unknown_axis", lambda x: S.squeeze(x, 0), [_floats(1, 3)], lambda x: np.squeeze(x, 0),
         input_shapes=[(None, 3)]),
    # Concatenate and stack
    Case("concatenate_rows", lambda a, b: S.concatenate([a, b]), [_floats(2, 3), _floats(4, 3)],
         lambda a, b: np.concatenate([a, b])),
    Case("concatenate_cols_empty", lambda a, b, c: S.concatenate([a, b, c], axis=1),
         [_floats(2, 0), _floats(2, 3), _floats(2, 1)], lambda a, b, c: np.concatenate([a, b, c], 1)),
    Case("concatenate_last_axis", lambda a, b: S.concatenate([a, b], axis=-1), [_floats(2, 1, 2), _floats(2, 1, 3)],
         lambda a, b: np.concatenate([a, b], -1)),
    Case("concatenate_unknown", lambda a, b: S.concatenate([a, b]), [_floats(2, 3), _floats(3, 3)],
         lambda a, b: np.concatenate([a, b]), input_shapes=[(None, 3), (None, None)]),
    Case("concatenate_upcast", lambda a, b: S.concatenate([a, b]), [_floats(2).astype("float32"), _floats(3)],
         lambda a, b: np.concatenate([a, b]), grad=False),
    Case("concatenate_ints", lambda a, b: S.concatenate([a, b]), [_ints(2), _ints(0)],
         lambda a, b: np.concatenate([a, b]), grad=False),
    Case("stack_scalars", lambda a, b: S.stack([a, b, a]), [_floats(), _floats()], lambda a, b: np.stack([a, b, a])),
    Case("stack_axis1", lambda a, b: S.stack([a, b], axis=1), [_floats(2, 3), _floats(2, 3)],
         lambda a, b: np.stack([a, b], 1)),
    Case("stack_last_axis", lambda a, b: S.stack([a, b], axis=-1), [_floats(2), _floats(2)],
         lambda a, b: np.stack([a, b], -1)),
    # compositions: tile, repeat, pad, one_hot
    Case("tile_2d", lambda x: S.tile(x, (2, 3)), [_floats(2, 3)], lambda x: np.tile(x, (2, 3))),
    Case("tile_more_reps", lambda x: S.tile(x, (2, 1, 2)), [_floats(3, 2)], lambda x: np.tile(x, (2, 1, 2))),
    Case("tile_fewer_reps", lambda x: S.tile(x, 2), [_floats(2, 3)], lambda x: np.tile(x, 2)),
    Case("tile_zero", lambda x: S.tile(x, (0, 2)), [_floats(2, 3)], lambda x: np.tile(x, (0, 2)), grad=False),
    Case("tile_unknown", lambda x: S.tile(x, (3, 1)), [_floats(2, 3)], lambda x: np.tile(x, (3, 1)),
         input_shapes=[(None, None)]),
    Case("tile_symbolic_reps", lambda x, n: S.tile(x, (n.shape[0], 1)), [_floats(1, 3), _ints(4)],
         lambda x, n: np.tile(x, (4, 1)), input_shapes=[(1, 3), (None,)]),
    Case("repeat_axis0", lambda x: S.repeat(x, 2, axis=0), [_floats(2, 3)], lambda x: np.repeat(x, 2, 0)),
    Case("repeat_axis_last", lambda x: S.repeat(x, 3, axis=-1), [_floats(2, 1, 2)], lambda x: np.repeat(x, 3, -1)),
    Case("repeat_flat", lambda x: S.repeat(x, 2), [_floats(2, 2)], lambda x: np.repeat(x, 2)),
    Case("repeat_counts", lambda x: S.repeat(x, [1, 0, 2], axis=1), [_floats(2, 3)],
         lambda x: np.repeat(x, [1, 0, 2], 1)),
    Case("repeat_unknown", lambda x: S.repeat(x, 2, axis=1), [_floats(3, 2)], lambda x: np.repeat(x, 2, 1),
         input_shapes=[(None, None)]),
    Case("pad_pairs", lambda x: S.pad(x, ((1, 2), (0, 1))), [_floats(2, 3)], lambda x: np.pad(x, ((1, 2), (0, 1)))),
    Case("pad_int_value", lambda x: S.pad(x, 1, constant_values=1.5), [_floats(2, 1, 2)],
         lambda x: np.pad(x, 1, constant_values=1.5)),
    Case("pad_unknown", lambda x: S.pad(x, ((0, 0), (2, 1))), [_floats(3, 2)], lambda x: np.pad(x, ((0, 0), (2, 1))),
         input_shapes=[(None, None)]),
    Case("pad_empty", lambda x: S.pad(x, (1, 1)), [_floats(0, 2)], lambda x: np.pad(x, (1, 1)), grad=False),
    Case("one_hot", lambda i: S.one_hot(i, 4), [np.array([0, 3, 1, 3])], lambda i: np.eye(4, dtype="float32")[i],
         grad=False),
    Case("one_hot_out_of_range", lambda i: S.one_hot(i, 3, dtype="int32"), [np.array([[0, 5], [-1, 2]])],
         lambda i: (i[..., None] == np.arange(3)).astype("int32"), grad=False, input_shapes=[(None, 2)]),
]
