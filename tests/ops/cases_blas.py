"""Cases for `Dot`, `Matmul`, `Tensordot` and the functions on them (outer, batched_dot, N-D dot)."""
import numpy as np

from symkeras.ops import blas as B
from tests.ops.cases import Case, rng

r = rng(3)


def _floats(*shape):
    return r.uniform(-1.0, 1.0, shape)


CASES = []

# -- Dot: numpy dot of 1-D/2-D operands --------------------------------------------------------------
DOT_SHAPES = [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,)), ((1, 4), (4, 1)), ((3, 1), (1, 2))]
for sa, sb in DOT_SHAPES:
    CASES.append(Case(f"dot_{sa}_{sb}", B.dot, [_floats(*sa), _floats(*sb)], np.dot))
CASES.append(Case("dot_empty_inner", B.dot, [_floats(3, 0), _floats(0, 2)], np.dot, grad=False))
CASES.append(Case("dot_empty_rows", B.dot, [_floats(0, 3), _floats(3, 2)], np.dot, grad=False))
CASES.append(Case("dot_unknown_batch", B.dot, [_floats(6, 4), _floats(4, 3)], np.dot, input_shapes=[(None, 4), (4, 3)]))
CASES.append(Case("dot_all_unknown", B.dot, [_floats(2, 4), _floats(4, 3)], np.dot, input_shapes=[(None, None), (None, None)]))
CASES.append(Case("dot_float32_float64", B.dot, [_floats(2, 3).astype("float32"), _floats(3, 2)], np.dot, grad=False))
CASES.append(Case("dot_int32", B.dot, [r.integers(-3, 4, (2, 3)).astype("int32"), r.integers(-3, 4, (3,)).astype("int32")],
                  np.dot, grad=False))
CASES.append(Case("dot_scalar", B.dot, [_floats(), _floats(3, 2)], np.dot))
CASES.append(Case("dot_nd", B.dot, [_floats(2, 3, 4), _floats(5, 4, 2)], np.dot))
CASES.append(Case("dot_nd_vector", B.dot, [_floats(2, 3, 4), _floats(4)], np.dot))
CASES.append(Case("matmul_2d_is_dot", B.matmul, [_floats(3, 4), _floats(4, 2)], np.matmul))
CASES.append(Case("matmul_operator", lambda a, b: a @ b, [_floats(2, 3), _floats(3)], lambda a, b: a @ b))

# -- Matmul: batched, broadcasting batch dims, promoted vectors -------------------------------------
MATMUL_SHAPES = [
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (2, 4, 1)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((2, 2, 1, 4), (2, 1, 4, 3)),
]
for sa, sb in MATMUL_SHAPES:
    CASES.append(Case(f"matmul_{sa}_{sb}", B.matmul, [_floats(*sa), _floats(*sb)], np.matmul))
CASES.append(Case("matmul_unknown_batch", B.matmul, [_floats(3, 2, 4), _floats(3, 4, 5)], np.matmul,
                  input_shapes=[(None, 2, 4), (None, 4, None)]))
CASES.append(Case("matmul_unknown_broadcast", B.matmul, [_floats(3, 2, 4), _floats(1, 4, 5)], np.matmul,
                  input_shapes=[(None, None, None), (1, None, 5)]))
CASES.append(Case("matmul_empty_batch", B.matmul, [_floats(0, 2, 3), _floats(3, 4)], np.matmul, grad=False))
CASES.append(Case("matmul_direct_2d", lambda a, b: B.Matmul()(a, b), [_floats(3, 4), _floats(4, 2)], np.matmul))

# -- Tensordot ---------------------------------------------------------------------------------------
TENSORDOT = [
    ("axes2", (2, 3, 4), (3, 4, 5), 2),
    ("axes1", (2, 3), (3, 4), 1),
    ("axes0_outer", (2, 3), (4,), 0),
    ("permuted", (4, 3, 2), (2, 5, 4), ([0, 2], [2, 0])),
    ("negative", (2, 3, 4), (4, 3), ([-1, 1], [0, -1])),
    ("single_ints", (3, 4), (2, 4), (1, 1)),
    ("full", (2, 3), (2, 3), ([0, 1], [0, 1])),
]
for name, sa, sb, axes in TENSORDOT:
    CASES.append(Case(f"tensordot_{name}", lambda a, b, axes=axes: B.tensordot(a, b, axes),
                      [_floats(*sa), _floats(*sb)], lambda a, b, axes=axes: np.tensordot(a, b, axes)))
CASES.append(Case("tensordot_unknown", lambda a, b: B.tensordot(a, b, ([1], [0])), [_floats(5, 3), _floats(3, 2, 2)],
                  lambda a, b: np.tensordot(a, b, ([1], [0])), input_shapes=[(None, 3), (3, None, 2)]))

# -- outer and batched_dot -----------------------------------------------------------------------
CASES.append(Case("outer_vectors", B.outer, [_floats(3), _floats(4)], np.outer))
CASES.append(Case("outer_flattens", B.outer, [_floats(2, 2), _floats()], np.outer))
BATCHED = [((4, 3), (4, 3)), ((4, 2, 3), (4, 3)), ((4, 3), (4, 3, 2)), ((4, 2, 3), (4, 3, 5))]
for sa, sb in BATCHED:
    CASES.append(Case(
        f"batched_dot_{sa}_{sb}", B.batched_dot, [_floats(*sa), _floats(*sb)],
        lambda a, b: np.stack([np.dot(x, y) for x, y in zip(a, b)]),
    ))
