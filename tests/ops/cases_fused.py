"""Cases for the ops the optimizer creates: DotBias, Gemm, fused Composite programs, StopGradient."""
import numpy as np

from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from symkeras.ops.composite import Composite
from symkeras.ops.gemm import DotBias, Gemm
from symkeras.ops.gradient import stop_gradient
from tests.ops.cases import Case, rng

r = rng(7)

# t2 = tanh(i0); t3 = mul(t2, i1); t4 = sigmoid(t3); t5 = add(t4, t2)  (t2 is read twice)
COMPOSITE = Composite(2, [
    (S.tanh, (0,), "float64"), (S.mul, (2, 1), "float64"), (S.sigmoid, (3,), "float64"), (S.add, (4, 2), "float64"),
])


def _composite_ref(a, b):
    t = np.tanh(a)
    return 1 / (1 + np.exp(-t * b)) + t


CASES = [
    Case("dot_bias", lambda x, w, b: DotBias()(x, w, b), [r.normal(size=(4, 3)), r.normal(size=(3, 5)), r.normal(size=5)],
         lambda x, w, b: x @ w + b),
    Case("dot_bias_unknown_rows", lambda x, w, b: DotBias()(x, w, b),
         [r.normal(size=(2, 3)), r.normal(size=(3, 1)), r.normal(size=1)], lambda x, w, b: x @ w + b,
         input_shapes=[(None, 3), (3, 1), (1,)]),
    Case("gemm", lambda z, a, x, y, b: Gemm()(z, a, x, y, b),
         [r.normal(size=(4, 5)), np.asarray(-0.5), r.normal(size=(4, 3)), r.normal(size=(3, 5)), np.asarray(0.9)],
         lambda z, a, x, y, b: b * z + a * (x @ y)),
    Case("gemm_unknown_rows", lambda z, a, x, y, b: Gemm()(z, a, x, y, b),
         [r.normal(size=(2, 1)), np.asarray(2.0), r.normal(size=(2, 3)), r.normal(size=(3, 1)), np.asarray(0.0)],
         lambda z, a, x, y, b: b * z + a * (x @ y), input_shapes=[(None, 1), (), (None, 3), (3, 1), ()]),
    Case("composite_shared_temporary", lambda a, b: E.Elemwise(COMPOSITE)(a, b),
         [r.normal(size=(3, 4)), r.normal(size=(4,))], _composite_ref),
    Case("composite_size_one", lambda a, b: E.Elemwise(COMPOSITE)(a, b), [r.normal(size=(1, 1)), r.normal(size=())],
         _composite_ref),
    Case("stop_gradient_value", lambda x: stop_gradient(x) * 2, [r.normal(size=(2, 3))], lambda x: 2 * x, grad=False),
]
