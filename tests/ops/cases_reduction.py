"""Cases for `Reduce`, `ArgReduce`, `CumOp` and the functions built on them (mean, var, std, logsumexp)."""
import numpy as np
from scipy.special import logsumexp as np_logsumexp

from symkeras.ops import reduction as R
from tests.ops.cases import Case, rng

r = rng(2)


def _distinct(*shape):
    """Floats without ties (max/min gradients are only defined without them)."""
    n = int(np.prod(shape))
    return (r.permutation(n).astype("float64") / max(n, 1) - 0.5 + r.uniform(0, 1e-3, n)).reshape(shape)


def _floats(*shape, low=-2.0, high=2.0):
    return r.uniform(low, high, shape)


def _near_one(*shape):
    return r.uniform(0.5, 1.5, shape) * np.where(r.random(shape) < 0.5, -1, 1)


AXES = [None, 0, -1, (0, 2), [2, 0, 1], 1]
SHAPES_3D = (2, 3, 4)

CASES = []

# -- Reduce: every kind over several axes, keepdims, size-1 and size-0 dims, unknown dims ----------
for kind in ("sum", "prod", "max", "min"):
    fn, ref = getattr(R, kind), getattr(np, kind)
    gen = _near_one if kind == "prod" else _distinct
    for axis in AXES:
        for keepdims in (False, True):
            CASES.append(Case(
                f"{kind}_axis{axis}_keep{keepdims}",
                lambda x, fn=fn, axis=axis, keepdims=keepdims: fn(x, axis=axis, keepdims=keepdims),
                [gen(*SHAPES_3D)],
                lambda x, ref=ref, axis=axis, keepdims=keepdims: ref(
                    x, axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=keepdims
                ),
            ))
    CASES.append(Case(f"{kind}_size1", lambda x, fn=fn: fn(x, axis=1), [gen(3, 1, 2)], lambda x, ref=ref: ref(x, axis=1)))
    CASES.append(Case(f"{kind}_vector", fn, [gen(5)], ref))
    CASES.append(Case(f"{kind}_scalar", fn, [gen(1).reshape(())], ref))
    CASES.append(Case(
        f"{kind}_unknown_dims", lambda x, fn=fn: fn(x, axis=0), [gen(4, 3)], lambda x, ref=ref: ref(x, axis=0),
        input_shapes=[(None, None)],
    ))
    CASES.append(Case(
        f"{kind}_unknown_keepdims", lambda x, fn=fn: fn(x, axis=-1, keepdims=True), [gen(4, 3)],
        lambda x, ref=ref: ref(x, axis=-1, keepdims=True), input_shapes=[(None, 3)],
    ))
    CASES.append(Case(
        f"{kind}_float32", lambda x, fn=fn: fn(x, axis=1), [gen(3, 4).astype("float32")],
        lambda x, ref=ref: ref(x, axis=1), grad=False,
    ))
    CASES.append(Case(
        f"{kind}_int32", lambda x, fn=fn: fn(x, axis=0), [r.integers(-3, 4, (3, 4)).astype("int32")],
        lambda x, ref=ref: ref(x, axis=0), grad=False,
    ))
for kind in ("sum", "prod"):
    fn, ref = getattr(R, kind), getattr(np, kind)
    CASES.append(Case(f"{kind}_empty_axis", lambda x, fn=fn: fn(x, axis=0), [np.zeros((0, 3))],
                      lambda x, ref=ref: ref(x, axis=0), grad=False))
    CASES.append(Case(f"{kind}_bool", fn, [r.random((3, 4)) < 0.5], ref, grad=False))
CASES.append(Case("sum_keep_empty_rows", lambda x: R.sum(x, axis=1, keepdims=True), [np.zeros((0, 3))],
                  lambda x: np.sum(x, axis=1, keepdims=True), grad=False))

# prod's gradient with zeros: none, one (the zero gets the product of the others), two (all zero)
for n_zeros in (1, 2):
    x = _near_one(3, 4)
    x[0, :n_zeros] = 0.0
    x[2, 1:1 + n_zeros] = 0.0
    CASES.append(Case(f"prod_{n_zeros}_zeros", lambda x: R.prod(x, axis=1), [x], lambda x: np.prod(x, axis=1)))
    CASES.append(Case(f"prod_{n_zeros}_zeros_all", R.prod, [x[:, :3]], np.prod))

for kind in ("any", "all"):
    fn, ref = getattr(R, kind), getattr(np, kind)
    for axis in (None, 1, (0, 1)):
        bools = r.random((3, 4)) < 0.6
        CASES.append(Case(f"{kind}_bool_axis{axis}", lambda x, fn=fn, axis=axis: fn(x, axis=axis), [bools],
                          lambda x, ref=ref, axis=axis: ref(x, axis=axis), grad=False))
    CASES.append(Case(f"{kind}_float_keepdims", lambda x, fn=fn: fn(x, axis=0, keepdims=True),
                      [np.where(r.random((3, 4)) < 0.3, 0.0, 1.5)], lambda x, ref=ref: ref(x, axis=0, keepdims=True),
                      grad=False))
    CASES.append(Case(f"{kind}_empty", lambda x, fn=fn: fn(x, axis=0), [np.zeros((0, 2), bool)],
                      lambda x, ref=ref: ref(x, axis=0), grad=False))
    CASES.append(Case(f"{kind}_scalar", fn, [np.float64(2.0).reshape(())], ref, grad=False))

# -- ArgReduce ----------------------------------------------------------------------------------
for kind in ("argmax", "argmin"):
    fn, ref = getattr(R, kind), getattr(np, kind)
    for axis in (None, 0, 1, -1):
        for keepdims in (False, True):
            CASES.append(Case(
                f"{kind}_axis{axis}_keep{keepdims}",
                lambda x, fn=fn, axis=axis, keepdims=keepdims: fn(x, axis=axis, keepdims=keepdims),
                [_distinct(3, 4, 2)], lambda x, ref=ref, axis=axis, keepdims=keepdims: ref(x, axis=axis, keepdims=keepdims),
                grad=False,
            ))
    CASES.append(Case(f"{kind}_ties_first", lambda x, fn=fn: fn(x, axis=1), [np.array([[1, 3, 3], [2, 2, 0]], "int32")],
                      lambda x, ref=ref: ref(x, axis=1), grad=False))
    CASES.append(Case(f"{kind}_unknown", lambda x, fn=fn: fn(x, axis=-1), [_distinct(5, 3)],
                      lambda x, ref=ref: ref(x, axis=-1), grad=False, input_shapes=[(None, 3)]))
    CASES.append(Case(f"{kind}_empty_rows", lambda x, fn=fn: fn(x, axis=1), [np.zeros((0, 3))],
                      lambda x, ref=ref: ref(x, axis=1), grad=False))

# -- mean / var / std / logsumexp -----------------------------------------------------------------
COMPOSED = {
    "mean": (R.mean, np.mean),
    "var": (R.var, np.var),
    "std": (R.std, np.std),
    "logsumexp": (R.logsumexp, np_logsumexp),
}
for name, (fn, ref) in COMPOSED.items():
    for axis in (None, 1, (0, 2), -1):
        for keepdims in (False, True):
            CASES.append(Case(
                f"{name}_axis{axis}_keep{keepdims}",
                lambda x, fn=fn, axis=axis, keepdims=keepdims: fn(x, axis=axis, keepdims=keepdims),
                [_floats(2, 3, 4)], lambda x, ref=ref, axis=axis, keepdims=keepdims: ref(x, axis=axis, keepdims=keepdims),
            ))
    CASES.append(Case(f"{name}_unknown", lambda x, fn=fn: fn(x, axis=1), [_floats(3, 4)],
                      lambda x, ref=ref: ref(x, axis=1), input_shapes=[(None, None)]))
    CASES.append(Case(f"{name}_int_gives_float64", lambda x, fn=fn: fn(x, axis=0), [r.integers(0, 5, (4, 3))],
                      lambda x, ref=ref: ref(x.astype("float64"), axis=0), grad=False))
    CASES.append(Case(f"{name}_float32", lambda x, fn=fn: fn(x, axis=-1), [_floats(3, 5).astype("float32")],
                      lambda x, ref=ref: ref(x, axis=-1), grad=False))
CASES.append(Case("logsumexp_large", lambda x: R.logsumexp(x, axis=1), [_floats(3, 4) + np.array([[1000.0], [-1000.0], [0.0]])],
                  lambda x: np_logsumexp(x, axis=1)))
CASES.append(Case("logsumexp_neg_inf_row", lambda x: R.logsumexp(x, axis=1), [np.array([[-np.inf, -np.inf], [0.0, -np.inf]])],
                  lambda x: np_logsumexp(x, axis=1), grad=False))
CASES.append(Case("mean_bool", R.mean, [r.random((3, 4)) < 0.5], np.mean, grad=False))

# -- CumOp ----------------------------------------------------------------------------------------
for name, fn, ref in (("cumsum", R.cumsum, np.cumsum), ("cumprod", R.cumprod, np.cumprod)):
    gen = _near_one if name == "cumprod" else _floats
    for axis in (None, 0, 1, -1):
        CASES.append(Case(f"{name}_axis{axis}", lambda x, fn=fn, axis=axis: fn(x, axis=axis), [gen(3, 4, 2)],
                          lambda x, ref=ref, axis=axis: ref(x, axis=axis)))
    CASES.append(Case(f"{name}_unknown", lambda x, fn=fn: fn(x, axis=0), [gen(4, 3)],
                      lambda x, ref=ref: ref(x, axis=0), input_shapes=[(None, 3)]))
    CASES.append(Case(f"{name}_int32", lambda x, fn=fn: fn(x, axis=0), [r.integers(-3, 4, (4, 3)).astype("int32")],
                      lambda x, ref=ref: ref(x, axis=0), grad=False))
    CASES.append(Case(f"{name}_empty", lambda x, fn=fn: fn(x, axis=1), [np.zeros((2, 0))],
                      lambda x, ref=ref: ref(x, axis=1), grad=False))
    CASES.append(Case(f"{name}_size1", lambda x, fn=fn: fn(x, axis=1), [gen(3, 1)], lambda x, ref=ref: ref(x, axis=1)))
    for axis in (0, 1):
        kind = "add" if name == "cumsum" else "mul"
        CASES.append(Case(
            f"{name}_reverse_axis{axis}", lambda x, kind=kind, axis=axis: R.CumOp(kind, axis, reverse=True)(x), [gen(3, 4)],
            lambda x, ref=ref, axis=axis: np.flip(ref(np.flip(x, axis), axis=axis), axis),
        ))
